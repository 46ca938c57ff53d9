import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every log line every test app writes, and every secret the tests send or receive, are kept
 * per jest worker under TEST_LOG_DIR; after the run, no secret may appear in any line
 * (the whole suite runs with its logs captured, and every secret the tests used is looked for in them).
 */

/** Fields whose values are secrets, in GraphQL variables and in responses (recovery codes included). */
const SECRET_FIELD = /password|token|secret|code|otpauth|confirmTotpEnrollment/i;
/** Named like secrets, but dates, booleans or payload objects. */
const NOT_SECRET_FIELD = /ExpiresAt$|^changePassword$|^sendMfaSmsCode$/;
const isSecretField = (key: string) => SECRET_FIELD.test(key) && !NOT_SECRET_FIELD.test(key);
/** Shorter values (and all-digit ones below 6) would match unrelated text by chance. */
const MIN_SECRET_LENGTH = 6;

const worker = () => process.env.JEST_WORKER_ID ?? '0';

function fileFor(kind: 'logs' | 'secrets'): string | undefined {
  const dir = process.env.TEST_LOG_DIR;
  return dir ? join(dir, `${kind}-${worker()}.ndjson`) : undefined;
}

export function recordLogLine(line: string): void {
  const file = fileFor('logs');
  if (!file) throw new Error('TEST_LOG_DIR is not set: run the tests through jest (global setup)');
  appendFileSync(file, line.endsWith('\n') ? line : `${line}\n`);
}

/** Collects the string values of secret-named fields, at any depth. */
export function recordSecretsIn(value: unknown): void {
  const found: string[] = [];
  const walk = (v: unknown, secret: boolean) => {
    if (typeof v === 'string') {
      if (secret && v.length >= MIN_SECRET_LENGTH) found.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, secret);
    } else if (v && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) walk(child, isSecretField(key));
    }
  };
  walk(value, false);
  const file = fileFor('secrets');
  if (file && found.length > 0) appendFileSync(file, `${found.map((s) => JSON.stringify(s)).join('\n')}\n`);
}

export function createLogScanDir(root: string): string {
  const dir = join(root, `test-logs-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const readLines = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter(Boolean);

/** Every secret found in the logs, with where; the secret is shown cut short. */
export function scanLogs(dir: string): { lines: number; secrets: number; leaks: string[] } {
  if (!existsSync(dir)) return { lines: 0, secrets: 0, leaks: [] };
  const secrets = [...new Set(readLines(dir, 'secrets-').map((l) => JSON.parse(l) as string))];
  const lines = readLines(dir, 'logs-');
  const leaks: string[] = [];
  for (const secret of secrets) {
    // Whole values only (a 6-digit code is not "in" a 13-digit number), raw or JSON-escaped.
    const forms = [secret, JSON.stringify(secret).slice(1, -1)];
    const patterns = forms.map((form) => new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`));
    const hit = lines.find(
      (line) => forms.some((form) => line.includes(form)) && patterns.some((pattern) => pattern.test(line)),
    );
    if (hit) {
      const shown = forms.reduce((line, form) => line.replaceAll(form, '[the secret]'), hit);
      leaks.push(`"${secret.slice(0, 3)}…" in: ${shown.slice(0, 300)}`);
    }
  }
  return { lines: lines.length, secrets: secrets.length, leaks };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function removeLogScanDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
