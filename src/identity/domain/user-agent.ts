import { UAParser } from 'ua-parser-js';

/** The longest summary kept. */
export const USER_AGENT_SUMMARY_MAX = 64;

/** Names as people know them, where the parser's differ. */
const BROWSER_NAMES: Record<string, string> = { 'Mobile Safari': 'Safari' };
const OS_NAMES: Record<string, string> = { 'Mac OS': 'macOS', 'Chromium OS': 'ChromeOS' };

/**
 * A short summary of a User-Agent header for the list of signed-in devices: "<Browser> <major> on
 * <OS>", such as "Chrome 131 on macOS", with the parts the header does not reveal left out
 * ("Firefox 133", "iOS"), at most 64 characters. Null for an absent header or one that reveals
 * neither browser nor OS (curl, most API clients).
 */
export function summarizeUserAgent(header: string | undefined | null): string | null {
  if (!header) return null;
  // ua-parser-js reads at most 500 characters itself; a longer header says nothing more.
  const parser = new UAParser(header.slice(0, 512));
  const browser = parser.getBrowser();
  const os = parser.getOS();
  return formatUserAgentSummary({
    browser: browser.name && (BROWSER_NAMES[browser.name] ?? browser.name),
    major: browser.major,
    os: os.name && (OS_NAMES[os.name] ?? os.name),
  });
}

/** "<browser> <major> on <os>" from the parts known, capped; null when neither name is known. */
export function formatUserAgentSummary(parts: {
  browser?: string;
  major?: string;
  os?: string;
}): string | null {
  const browser = clean(parts.browser);
  const major = parts.major && /^\d{1,6}$/.test(parts.major) ? parts.major : undefined;
  const os = clean(parts.os);
  const summary = [browser && [browser, major].filter(Boolean).join(' '), os].filter(Boolean).join(' on ');
  return summary ? Array.from(summary).slice(0, USER_AGENT_SUMMARY_MAX).join('').trim() : null;
}

/** Letters, digits, punctuation and symbols only; other characters as spaces, runs of them as one. */
const clean = (value: string | undefined) =>
  value?.replace(/[^\p{L}\p{N}\p{P}\p{S}]+/gu, ' ').trim() || undefined;
