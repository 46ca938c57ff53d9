import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * What the account console's browser tests share: a headless Chromium, a browser context whose
 * pages' console errors are collected, screenshots, and the checks every page gets (labels and
 * names).
 */

/** A build of web/ as it is now: the console under test is the one in the tree. */
export const { buildConsole } = require('../../scripts/build-console.cjs') as {
  buildConsole(opts?: { quiet?: boolean }): boolean;
};

/**
 * Where the runs' screenshots go: the README's, docs/screenshots, only when the run is asked to
 * replace them (UPDATE_SCREENSHOTS=1), so that a test run changes no committed file; otherwise
 * .data/screenshots (not committed), to look at after a run.
 */
export const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'screenshots')
    : join(__dirname, '..', '..', '.data', 'screenshots');

/** The page's globals used from page.evaluate (the suite compiles without the DOM library). */
export interface PageGlobals {
  document: {
    cookie: string;
    documentElement: { scrollWidth: number; clientWidth: number };
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
  sessionStorage: { length: number };
}
export interface PageElement {
  tagName: string;
  id: string;
  type?: string;
  textContent: string | null;
  labels?: ArrayLike<unknown> | null;
  getAttribute(name: string): string | null;
}

/** Runs assertions; a failure names what was being checked before the matcher's own report. */
export async function checking<T>(what: string, assertions: () => T | Promise<T>): Promise<T> {
  try {
    return await assertions();
  } catch (err) {
    if (err instanceof Error) err.message = `${what}\n\n${err.message}`;
    throw err;
  }
}

/** A browser (its own cookies and storage) with one page, its console errors pushed to `errors`. */
export async function openBrowser(
  browser: Browser,
  errors: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: uncaught ${err.message}`));
  return { context, page };
}

export const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Inputs without a label, and buttons or links without a name, on the page as it is now. */
export const accessibilityProblems = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const problems: string[] = [];
    for (const el of Array.from(g.document.querySelectorAll('input, select, textarea'))) {
      if (el.type === 'hidden') continue;
      const named = (el.labels?.length ?? 0) > 0 || el.getAttribute('aria-label');
      if (!named) problems.push(`${el.tagName.toLowerCase()}#${el.id} has no label`);
    }
    for (const el of Array.from(g.document.querySelectorAll('button, a'))) {
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
      if (!name) problems.push(`${el.tagName.toLowerCase()} without a name`);
      if (el.tagName === 'A' && !el.getAttribute('href')) problems.push(`link "${name}" without href`);
    }
    return problems;
  });

/** The page's width against the window's: wider means horizontal scrolling. */
export const pageWidth = (page: Page) =>
  page.evaluate(() => {
    const root = (globalThis as unknown as PageGlobals).document.documentElement;
    return { scroll: root.scrollWidth, client: root.clientWidth };
  });

/**
 * Tests that build on one another, as steps of one story: once a step fails, the later ones
 * report that they were not run rather than failing for the same reason.
 */
export function storySteps() {
  let failedStep: string | undefined;
  return (name: string, fn: () => Promise<void>, timeout = 30_000) =>
    it(
      name,
      async () => {
        if (failedStep) throw new Error(`not run: it builds on the step that failed, "${failedStep}"`);
        try {
          await fn();
        } catch (err) {
          failedStep = name;
          throw err;
        }
      },
      timeout,
    );
}
