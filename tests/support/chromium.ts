import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';

const run = promisify(execFile);

/** The project's data folder (git-ignored), where the install lock lives. */
const dataRoot = join(__dirname, '..', '..', '.data');
const LOCK = join(dataRoot, 'chromium-install.lock');
/** Debian installs its chromium here (a wrapper script that runs /usr/lib/chromium/chromium). */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** How long a run waits for another run's install (and apt for dpkg's own lock). */
const WAIT_SECONDS = 600;

/**
 * A Chromium executable for the browser tests, found in this order: CHROMIUM_PATH; `chromium`
 * on PATH (or /usr/bin/chromium); otherwise installed now from Debian's `chromium` package with
 * `apt-get install --no-install-recommends` (running `apt-get update` first when the package
 * lists lack it). Chromium needs dozens of shared libraries, so unlike Redis it is installed
 * on the system rather than unpacked into `.data/`; that takes root. A lock file in `.data/`
 * keeps jest workers and concurrent runs from installing at the same time.
 */
export async function findChromium(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const found = chromiumOnPath();
  if (found) return found;
  return withInstallLock(async () => {
    // Another worker or run may have installed it while this one waited for the lock.
    const meanwhile = chromiumOnPath();
    if (meanwhile) {
      report(`chromium: found ${meanwhile}, installed by another test run`);
      return meanwhile;
    }
    return installFromDebian();
  });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function chromiumOnPath(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs.map((dir) => join(dir, 'chromium')), DEBIAN_CHROMIUM].find(isExecutable);
}

/** One line on stderr (outside jest's console decoration). */
function report(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function installFromDebian(): Promise<string> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'The browser tests need Chromium: install it (Debian: apt-get install chromium), put `chromium` on ' +
        'PATH or set CHROMIUM_PATH. Installing it here takes root, and this run is not root.',
    );
  const started = Date.now();
  const apt = (args: string[]) =>
    run('apt-get', ['-o', `DPkg::Lock::Timeout=${WAIT_SECONDS}`, ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: WAIT_SECONDS * 1000,
    });
  const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  let updated = false;
  try {
    await install();
  } catch {
    // A fresh machine may have no package lists yet, or stale ones naming versions gone from the mirror.
    updated = true;
    await apt(['update', '-qq']).catch((err) => {
      throw new Error(`apt-get update failed while installing chromium: ${failure(err)}`);
    });
    await install().catch((err) => {
      throw new Error(`apt-get install chromium failed: ${failure(err)}`);
    });
  }
  if (!isExecutable(DEBIAN_CHROMIUM))
    throw new Error(`apt-get installed chromium, yet ${DEBIAN_CHROMIUM} is not there`);
  // `dpkg-query -W` prints the package and its version, separated by a tab.
  const version = await run('dpkg-query', ['-W', 'chromium']).then(
    (r) => r.stdout.trim().split('\t')[1] ?? 'unknown version',
    () => 'unknown version',
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  report(
    `chromium: installed Debian's chromium ${version} with apt-get${updated ? ' (after apt-get update)' : ''} ` +
      `in ${seconds} s: ${DEBIAN_CHROMIUM}`,
  );
  return DEBIAN_CHROMIUM;
}

function failure(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(err)).split('\n').slice(-5).join(' | ');
}

/**
 * Runs `fn` holding `.data/chromium-install.lock` (created exclusively, holding the owner's pid).
 * A lock whose owner is gone is taken over; apt's own dpkg lock is a second guard behind it.
 */
async function withInstallLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(dataRoot, { recursive: true });
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  let waited = false;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStale()) {
      // Moving it aside first: of several runs finding the same stale lock, one removes it.
      const aside = `${LOCK}.stale-${process.pid}`;
      try {
        renameSync(LOCK, aside);
        rmSync(aside, { force: true });
      } catch {}
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`waited ${WAIT_SECONDS} s for ${LOCK} (another run installing chromium)`);
    if (!waited) report(`chromium: waiting for another test run installing it (${LOCK})`);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** The lock's owner has exited (or it stayed empty, owner unknown, for over 10 s). */
function isStale(): boolean {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8').trim());
    if (!pid) return Date.now() - statSync(LOCK).mtimeMs > 10_000;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: no such process. ENOENT: the lock went away meanwhile (retry at once).
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

/** Headless Chromium (Debian's, or the one CHROMIUM_PATH names), as every browser test runs it. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await findChromium(),
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A virtual platform authenticator for a page (DevTools protocol): CTAP2, internal transport,
 * discoverable credentials, user verification that always succeeds. A passkey made in the page
 * stays in it for the page's life.
 */
export async function addPlatformAuthenticator(
  context: BrowserContext,
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}
