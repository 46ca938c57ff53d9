import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ACCOUNT_CONSOLE_CSP } from '../../src/http/account-console';
import { Role } from '../../src/identity/domain/enums';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { User } from '../../src/identity/domain/user.entity';
import { launchChromium } from '../support/chromium';
import { midTotpStep, testClock } from '../support/clock';
import {
  accessibilityProblems,
  buildConsole,
  checking,
  openBrowser as openConsoleBrowser,
  type PageGlobals,
  pageWidth,
  SCREENSHOTS,
  shoot,
  storySteps,
} from '../support/console-browser';
import { aRegistration, aUser } from '../support/factories';
import { type Exchange, startHoldingRelay } from '../support/holding-relay';
import { recordSecretsIn } from '../support/log-scan';
import { mailsTo } from '../support/mail';
import { LoginDoc, MeDoc, VerifyMfaDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

/**
 * The account console in a real headless Chromium, as a person uses it: served by the service at
 * /account on its own origin (cookie transport, no CORS), driven through its pages with
 * playwright-core (nothing intercepted), the verification mail read from the development outbox
 * and the TOTP codes computed here. Every page is watched for console errors (a violation of the
 * Content-Security-Policy is one), and the main pages are photographed (the README's pictures,
 * replaced when the run is asked to: UPDATE_SCREENSHOTS=1).
 */

const OTHER_DEVICE_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0';

const clock = testClock(midTotpStep());
let app: TestApp;
let browser: Browser;
/** http://localhost:<port>: the service, and so the console's origin (a secure context for cookies). */
let origin: string;
/** Console errors and uncaught exceptions of every page, with the page they happened on. */
const consoleErrors: string[] = [];

beforeAll(async () => {
  buildConsole({ quiet: true });
  app = await startTestApp({ clock });
  origin = `http://localhost:${new URL(app.baseUrl).port}`;
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A browser (its own cookies and storage) with one page, its console errors collected. */
const openBrowser = () => openConsoleBrowser(browser, consoleErrors);

/**
 * What the page exposes to script that could be a token: document.cookie, and every Web Storage
 * entry (localStorage may hold the device id, which is no secret).
 */
const readableState = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const local: Record<string, string | null> = {};
    for (let i = 0; i < g.localStorage.length; i++) {
      const key = g.localStorage.key(i) as string;
      local[key] = g.localStorage.getItem(key);
    }
    return { cookie: g.document.cookie, local, sessionStorageLength: g.sessionStorage.length };
  });

const step = storySteps();

describe('serving the console', () => {
  it('serves index.html at /account and its client routes with the Content-Security-Policy, no-cache', async () => {
    for (const path of ['/account', '/account/', '/account/verify-email?token=abc', '/account/admin/users']) {
      const res = await fetch(`${app.baseUrl}${path}`);
      const body = await res.text();
      await checking(`GET ${path}: the console's index.html with its policy`, () =>
        expect({
          status: res.status,
          type: res.headers.get('content-type'),
          csp: res.headers.get('content-security-policy'),
          cache: res.headers.get('cache-control'),
          root: body.includes('<div id="root">'),
          inlineScript: /<script(?![^>]*\bsrc=)[^>]*>/.test(body),
        }).toEqual({
          status: 200,
          type: expect.stringMatching(/^text\/html/),
          csp: ACCOUNT_CONSOLE_CSP,
          cache: 'no-cache',
          root: true,
          inlineScript: false,
        }),
      );
    }
    await checking('the policy allows no inline script or style and no framing', () => {
      const directives = Object.fromEntries(
        ACCOUNT_CONSOLE_CSP.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values];
        }),
      );
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['style-src']).toEqual(["'self'"]);
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      expect(ACCOUNT_CONSOLE_CSP).not.toContain('unsafe');
    });
  });

  it('serves the hashed assets for a year and answers a missing one with 404, not the page', async () => {
    const html = await (await fetch(`${app.baseUrl}/account/`)).text();
    const script = /src="(\/account\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const res = await fetch(`${app.baseUrl}${script}`);
    await checking(`GET ${script}`, () =>
      expect({
        status: res.status,
        type: res.headers.get('content-type'),
        cache: res.headers.get('cache-control'),
      }).toEqual({
        status: 200,
        type: expect.stringMatching(/javascript/),
        cache: expect.stringMatching(/max-age=31536000.*immutable/),
      }),
    );
    const missing = await fetch(`${app.baseUrl}/account/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
  });
});

describe('the account console in Chromium', () => {
  const person = aRegistration();
  recordSecretsIn({ password: person.password });
  let page: Page;
  let context: BrowserContext;
  let totpSecret: string;
  /** The access token of a second device of the same person, signed in from Node. */
  let otherDevice: { accessToken: string; deviceId: string };

  beforeAll(async () => {
    ({ context, page } = await openBrowser());
  });
  afterAll(() => context?.close());

  step('a visitor lands on sign in and creates an account', async () => {
    await page.goto(`${origin}/account`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checking('signed out, /account leads to the sign-in page', () =>
      expect(new URL(page.url()).pathname).toBe('/account/sign-in'),
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The service's BAD_USER_INPUT names the field: the message sits under the password input.
    const passwordError = page.locator('.field:has(input[name="password"]) .field-error');
    await passwordError.waitFor();
    await checking('a refused password: the error next to the password field, marked invalid', async () => {
      expect(await passwordError.textContent()).toMatch(/Password/);
      expect(await page.locator('input[name="password"]').getAttribute('aria-invalid')).toBe('true');
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'sign-up');
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await checking('the new account is signed in, its address not yet verified', async () => {
      expect(await page.locator('#email-heading + p').textContent()).toContain(person.email);
      await page.getByText('not verified').waitFor();
    });
  });

  step('the link in the verification mail verifies the address', async () => {
    const [mail] = await mailsTo(app, person.email);
    const link = /https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0];
    await checking(`a verification link in the mail (${mail?.subject})`, () => expect(link).toBeDefined());
    const url = new URL(link as string);
    recordSecretsIn({ token: url.searchParams.get('token') });
    await checking('the link points at the console (PUBLIC_WEB_URL defaults to the local /account)', () =>
      expect(url.pathname).toBe('/account/verify-email'),
    );
    // The mail names the service's default public URL; this run's console is on another port.
    await page.goto(`${origin}${url.pathname}${url.search}`);
    // Whatever the page settles on, the notice or an error, is named on failure.
    const settled = page.getByText('Your email address is verified.').or(page.getByRole('alert')).first();
    await settled.waitFor();
    await checking(`the verification page's answer (at ${new URL(page.url()).pathname})`, async () =>
      expect(await settled.textContent()).toBe('Your email address is verified.'),
    );
    await checking('the token left the address bar', () => expect(page.url()).not.toContain('token='));
    await page.getByRole('link', { name: 'Go to your profile' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await page.locator('.badge', { hasText: /^verified$/ }).waitFor();
  });

  step('enrolling TOTP shows a QR code and the recovery codes once', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    // Signed in moments ago: no password needed.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = page.getByTestId('totp-secret');
    await secret.waitFor();
    totpSecret = (await secret.textContent())?.trim() ?? '';
    recordSecretsIn({ secret: totpSecret });
    await checking('the QR code image is shown (a data: URL, allowed by the policy)', async () => {
      const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'security-totp');
    await page.getByLabel('Code from the app').fill(totpCode(totpSecret, clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    const recoveryCodes = await codes.allTextContents();
    recordSecretsIn({ codes: recoveryCodes });
    await checking('ten recovery codes', () => expect(recoveryCodes).toHaveLength(10));
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await page.getByText('Two-step sign-in is on').waitFor();
    await checking('the codes are gone from the page once acknowledged', async () =>
      expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0),
    );
  });

  step(
    'the page can read no token: document.cookie is empty, Web Storage holds the device id only',
    async () => {
      const state = await readableState(page);
      await checking('what page script can read', () =>
        expect(state).toEqual({
          cookie: '',
          local: { 'elcorp.deviceId': expect.stringMatching(/^[0-9a-f-]{36}$/) },
          sessionStorageLength: 0,
        }),
      );
      const cookies = await context.cookies(origin);
      recordSecretsIn(cookies.map((c) => ({ token: c.value })));
      await checking('the token cookies are HttpOnly', () => {
        expect(cookies.length).toBeGreaterThan(0);
        expect(cookies.filter((c) => !c.httpOnly).map((c) => c.name)).toEqual([]);
      });
    },
  );

  step('signing out, then in again with a TOTP code', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email or username').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('group', { name: 'Answer with' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'sign-in-mfa');
    clock.advance(30); // the next TOTP step: the enrolment's code is spent
    await page
      .getByRole('textbox', { name: 'Code from your authenticator app' })
      .fill(totpCode(totpSecret, clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
  });

  step('the devices page shows this device and revokes another', async () => {
    // A second device of the same person: Firefox on Windows, signed in from Node with a TOTP code.
    clock.advance(30);
    const deviceId = 'console-test-other-device';
    const login = await app.gql(
      LoginDoc,
      { input: { identifier: person.email, password: person.password, deviceId } },
      { 'user-agent': OTHER_DEVICE_UA },
    );
    const challenge = login.data?.login;
    if (challenge?.__typename !== 'MfaChallenge') throw new Error(`expected a challenge: ${login.raw}`);
    const verified = await app.gql(
      VerifyMfaDoc,
      { input: { challengeToken: challenge.challengeToken, code: totpCode(totpSecret, clock.now()) } },
      { 'user-agent': OTHER_DEVICE_UA },
    );
    const accessToken = verified.data?.verifyMfa.accessToken;
    if (!accessToken) throw new Error(`second device sign-in failed: ${verified.raw}`);
    otherDevice = { accessToken, deviceId };

    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    const cards = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    const firefox = cards.filter({ hasText: 'Firefox 130 on Windows' });
    await firefox.waitFor();
    const current = cards.filter({ hasText: 'this device' });
    await checking('this device: marked, with browser, OS, address and last use', async () => {
      expect(await cards.count()).toBe(2);
      const text = await current.textContent();
      expect(text).toMatch(/Chrom/);
      expect(text).toMatch(/Linux/);
      expect(text).toContain('127.0.0.1');
      expect(text).toContain('Last used');
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'devices');
    await firefox.getByRole('button', { name: /^Sign out Firefox 130 on Windows/ }).click();
    await page.getByText('Firefox 130 on Windows was signed out.').waitFor();
    await checking('one device left, this one', async () => {
      expect(await cards.count()).toBe(1);
      expect(await current.count()).toBe(1);
    });
    const me = await app.gql(MeDoc, {}, bearer(otherDevice.accessToken, otherDevice.deviceId));
    await checking("the revoked device's access token stops working", () =>
      expect(me.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED'),
    );
  });

  step('an admin locks the user and sees it; the audit log verifies', async () => {
    const admin = await aUser(app);
    // As `npm run user:role` does: the role set in the database.
    await app.orm.em.fork().nativeUpdate(User, { id: admin.id }, { role: Role.ADMIN });
    const adminBrowser = await openBrowser();
    try {
      const p = adminBrowser.page;
      await p.goto(`${origin}/account/sign-in`);
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      // By keyboard alone: type, Tab to the next field, Enter submits.
      await p.getByLabel('Email or username').focus();
      await p.keyboard.type(admin.username);
      await p.keyboard.press('Tab');
      await p.keyboard.type(admin.password);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Profile' }).waitFor();
      await p.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
      await p.getByRole('heading', { name: 'Users' }).waitFor();
      await p.getByLabel('Email or username starts with').fill(person.username);
      await p.getByRole('button', { name: 'Search' }).click();
      const card = p.getByRole('listitem', { name: person.username });
      await card.waitFor();
      await checking('the user is active before', async () =>
        expect(await card.getByTestId('user-status').textContent()).toBe('active'),
      );
      await card.getByRole('button', { name: `Lock: ${person.username}` }).click();
      await card.getByRole('button', { name: `Unlock: ${person.username}` }).waitFor();
      await checking('the user is shown locked', async () =>
        expect(await card.getByTestId('user-status').textContent()).toBe('locked'),
      );
      expect(await accessibilityProblems(p)).toEqual([]);
      await shoot(p, 'admin-users');

      // The locked user's own browser finds its session ended.
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();

      // The admin's access token expires (the service's clock moves past its lifetime; the page's
      // own schedule for refreshing ahead of time has not come). The audit log page sends two
      // queries at once: both are refused with TOKEN_EXPIRED, share one refresh, and are sent again.
      const refreshes: string[] = [];
      const expiredAnswers: string[] = [];
      p.on('request', (req) => {
        if (req.url().endsWith('/graphql') && req.postData()?.includes('"ConsoleRefresh"'))
          refreshes.push(req.url());
      });
      p.on('response', async (res) => {
        if (!res.url().endsWith('/graphql')) return;
        const body = await res.text().catch(() => '');
        if (body.includes('TOKEN_EXPIRED')) expiredAnswers.push(body);
      });
      clock.advance(app.config.jwt.accessTokenTtlSeconds + 1);
      await p.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
      await p.getByRole('heading', { name: 'Audit log' }).waitFor();
      await p.getByText(/^Intact: \d+ entries verified/).waitFor();
      await p.getByRole('list', { name: 'Audit entries' }).getByRole('listitem').first().waitFor();
      await checking(
        'after the expiry: both queries were refused as expired, one refresh served them, both were retried',
        () => {
          expect(expiredAnswers.length).toBe(2);
          expect(refreshes.length).toBe(1);
        },
      );
      await p.getByLabel('Event type').fill('user.locked');
      await p.getByRole('button', { name: 'Filter' }).click();
      await p.getByText('1 entry').waitFor();
      const entries = p.getByRole('list', { name: 'Audit entries' }).getByRole('listitem');
      await checking('the filtered log: the lock, by the admin, about the user', async () => {
        expect(await entries.count()).toBe(1);
        const text = await entries.first().textContent();
        expect(text).toContain('user.locked');
        expect(text).toContain(admin.username);
        expect(text).toContain(person.username);
      });
      expect(await accessibilityProblems(p)).toEqual([]);
      await shoot(p, 'admin-audit-log');

      // 375 px wide: nothing wider than the screen.
      await p.setViewportSize({ width: 375, height: 800 });
      for (const [link, heading] of [
        ['Users', 'Users'],
        ['Devices', 'Devices'],
        ['Security', 'Security'],
        ['Profile', 'Profile'],
      ]) {
        await p.getByRole('navigation').getByRole('link', { name: link }).click();
        await p.getByRole('heading', { name: heading, exact: true }).waitFor();
        const width = await pageWidth(p);
        await checking(`${heading} at 375 px: no horizontal scrolling`, () =>
          expect(width.scroll).toBeLessThanOrEqual(width.client),
        );
      }
      await shoot(p, 'profile-375px');
    } finally {
      await adminBrowser.context.close();
    }
  });

  step('no page logged a console error', async () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('a sign-in budget spent, in the console', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '2' } });
  });
  afterAll(() => limited?.close());

  it('says the password is wrong, then how long to wait once RATE_LIMITED', async () => {
    const user = await aUser(limited);
    const { context, page } = await openBrowser();
    try {
      await page.goto(`http://localhost:${new URL(limited.baseUrl).port}/account/sign-in`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Email or username').fill(user.email);
      const wrong = `not the password ${user.username}`;
      recordSecretsIn({ password: wrong });
      await page.getByLabel('Password').fill(wrong);
      const alert = page.locator('.form-error');
      for (let attempt = 1; attempt <= 2; attempt++) {
        // The previous attempt's alert, if any: this attempt's answer is a new one (the form drops
        // its error when sent), so the check below reads this attempt's answer, never the last one.
        const alerts = await alert.count();
        await checking(`before attempt ${attempt}: the alerts on the page`, () =>
          expect(alerts).toBe(attempt - 1),
        );
        const previous = alerts > 0 ? await alert.elementHandle() : null;
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        if (previous)
          await page.waitForFunction(
            (el) => !(el as unknown as { isConnected: boolean }).isConnected,
            previous,
          );
        await alert.waitFor();
        await checking(`attempt ${attempt}: refused, without saying which part was wrong`, async () =>
          expect(await alert.textContent()).not.toMatch(/Too many/),
        );
        await page
          .getByRole('button', { name: 'Sign in', exact: true })
          .and(page.locator(':enabled'))
          .waitFor();
      }
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText(/^Too many attempts\. Try again in \d+ (seconds?|minutes?)\.$/).waitFor();
      await checking('no console error on these pages either', () => expect(consoleErrors).toEqual([]));
    } finally {
      await context.close();
    }
  });
});

describe('a refresh the service refuses for now, in the console', () => {
  const limitedClock = testClock(midTotpStep());
  let limited: TestApp;
  beforeAll(async () => {
    // One refresh a minute per session, counted in the injected clock's time; access tokens live
    // 50 s, so one expires inside the minute of the refresh that issued it.
    limited = await startTestApp({
      clock: limitedClock,
      env: { RATE_LIMIT_STORE: 'memory', RATE_LIMIT_REFRESH_PER_MINUTE: '1', ACCESS_TOKEN_TTL_SECONDS: '50' },
    });
  });
  afterAll(() => limited?.close());

  it('keeps the tab signed in while the refresh budget is spent (RATE_LIMITED), and refreshes once it frees', async () => {
    const user = await aUser(limited);
    const { context, page } = await openBrowser();
    /** The answer to every refresh the page sent once signed in: its error code, or `refreshed`. */
    const refreshAnswers: string[] = [];
    const answered = (what: string, n: number) =>
      waitUntil(`${what}: ${n} refresh answers`, () => refreshAnswers.length >= n);
    try {
      await page.goto(`http://localhost:${new URL(limited.baseUrl).port}/account/sign-in`);
      await page.getByLabel('Email or username').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      page.on('response', async (res) => {
        if (!res.url().endsWith('/graphql') || !res.request().postData()?.includes('"ConsoleRefresh"'))
          return;
        const body = await res.text().catch(() => '');
        refreshAnswers.push(/"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'refreshed');
      });
      // A reload restores the session with a refresh: the session's one refresh of this minute.
      await page.reload();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      await answered('the reload', 1);

      // The access token expires inside that minute: the devices page's query is refused as
      // expired, and the refresh that follows is refused for the budget.
      limitedClock.advance(51);
      await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
      const loadFailed = page.getByText('The devices could not be loaded.');
      await loadFailed.or(page.getByRole('heading', { name: 'Sign in' })).waitFor();
      await answered('the expired query', 2);
      await checking(
        'the refresh refused with RATE_LIMITED: the tab stays signed in, the devices page says its list failed',
        async () => {
          expect(refreshAnswers).toEqual(['refreshed', 'RATE_LIMITED']);
          expect(new URL(page.url()).pathname).toBe('/account/devices');
          expect(await loadFailed.count()).toBe(1);
          expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
        },
      );

      // The minute is over: the next query refreshes and is answered, in the same tab.
      limitedClock.advance(10);
      await page.getByRole('navigation').getByRole('link', { name: 'Profile' }).click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
      await page
        .getByRole('list', { name: 'Signed-in devices' })
        .getByRole('listitem')
        .filter({ hasText: 'this device' })
        .waitFor();
      await checking('one more refresh, answered, and no console error', () => {
        expect(refreshAnswers).toEqual(['refreshed', 'RATE_LIMITED', 'refreshed']);
        expect(consoleErrors).toEqual([]);
      });
    } finally {
      await context.close();
    }
  });
});

describe('a TOKEN_EXPIRED answer that arrives after the shared refresh, in the console', () => {
  const heldClock = testClock(midTotpStep());
  let held: TestApp;
  let relay: Awaited<ReturnType<typeof startHoldingRelay>> | undefined;
  beforeAll(async () => {
    held = await startTestApp({ clock: heldClock });
  });
  afterAll(async () => {
    await relay?.close();
    await held?.close();
  });

  it('sends that operation again with the new token, without a second refresh', async () => {
    const admin = await aUser(held);
    await held.orm.em.fork().nativeUpdate(User, { id: admin.id }, { role: Role.ADMIN });
    // Between the browser and the service, a relay holds back the second TOKEN_EXPIRED answer
    // until the browser sends a request with a new access token: the shared refresh is over by then.
    /** Set once the token has expired: what the relay saw before is not counted. */
    let watching = false;
    let expiredAnswers = 0;
    let refreshes = 0;
    /** What passed the relay, to read when the check fails: operation, token (its end), answer. */
    const passed: string[] = [];
    const operationOf = (body: string) => /"operationName":"(\w+)"/.exec(body)?.[1] ?? '-';
    const tokenOf = (exchange: Exchange) => exchange.headers.authorization?.slice(-6) ?? 'none';
    let expiredToken: string | undefined;
    let renewed: () => void = () => {};
    const tokenRenewed = new Promise<void>((resolve) => {
      renewed = resolve;
    });
    relay = await startHoldingRelay(held.baseUrl, {
      onRequest(exchange) {
        if (!watching || exchange.url !== '/graphql') return;
        passed.push(`→ ${operationOf(exchange.body)} ${tokenOf(exchange)}`);
        if (exchange.body.includes('"ConsoleRefresh"')) refreshes++;
        const token = exchange.headers.authorization;
        if (expiredToken && token && token !== expiredToken) renewed();
      },
      hold(exchange, answer) {
        if (!watching || exchange.url !== '/graphql') return undefined;
        const code = /"code":"([A-Z_]+)"/.exec(answer)?.[1] ?? 'ok';
        passed.push(`← ${operationOf(exchange.body)} ${tokenOf(exchange)} ${code}`);
        if (!answer.includes('"reason":"TOKEN_EXPIRED"')) return undefined;
        if (++expiredAnswers === 1) {
          expiredToken = exchange.headers.authorization;
          return undefined;
        }
        // A deadline, not a wait: the check below fails if the renewal never came.
        const deadline = setTimeout(renewed, 10_000);
        return tokenRenewed.finally(() => clearTimeout(deadline));
      },
    });
    const { context, page } = await openBrowser();
    try {
      await page.goto(`${relay.origin}/account/sign-in`);
      await page.getByLabel('Email or username').fill(admin.username);
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();

      // The access token expires; the audit log page sends two queries at once.
      heldClock.advance(held.config.jwt.accessTokenTtlSeconds + 1);
      watching = true;
      await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      await page.getByText(/^Intact: \d+ entries verified/).waitFor();
      await page.getByRole('list', { name: 'Audit entries' }).getByRole('listitem').first().waitFor();
      await checking(
        `both queries refused as expired, the second answer after the refresh; one refresh\n${passed.join('\n')}`,
        () => {
          expect(expiredAnswers).toBe(2);
          expect(refreshes).toBe(1);
          expect(consoleErrors).toEqual([]);
        },
      );
    } finally {
      await context.close();
    }
  });
});
