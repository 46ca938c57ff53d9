import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ensureDatabase, startEmbeddedPostgres } from '../src/adapters/database/embedded-postgres.js';
import { enableStatementStats } from './db-cost.js';
import { dropDatabase } from './seed.js';

/** The repository root, whether this runs from bench/ (ts-node) or dist/bench/ (build). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Runs a command to completion and returns its stdout when `capture` is set; otherwise its
 * output goes to stderr, so that stdout stays the report.
 */
export function run(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; capture?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    if (opts.capture) child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    else child.stdout.pipe(process.stderr, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}

export interface BenchDatabase {
  url: string;
  kind: 'embedded' | 'external';
  stop(): Promise<void>;
  /** What may still be undone synchronously when the process exits before stop() finished. */
  stopSync(): void;
}

/**
 * A fresh database for this run: a new one on BENCH_DATABASE_URL's server when set, else a
 * throw-away embedded cluster (fsync off) under .data/bench-<pid> on a free port.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const name = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const url = await ensureDatabase(external, name);
    return { url, kind: 'external', stop: () => dropDatabase(external, name), stopSync: () => {} };
  }
  const dataDir = join(ROOT, '.data', `bench-${process.pid}`);
  const lines: string[] = [];
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    ephemeral: true,
    settings: [
      'shared_preload_libraries=pg_stat_statements',
      'pg_stat_statements.track=top',
      // Planning time per statement, for the BENCH_STATEMENTS listing only (it costs a little).
      ...(process.env.BENCH_STATEMENTS ? ['pg_stat_statements.track_planning=on'] : []),
    ],
    log: (line) => lines.push(line),
  }).catch((err: unknown) => {
    process.stderr.write(lines.slice(-30).join(''));
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    const url = await ensureDatabase(server.url, 'bench');
    await enableStatementStats(url);
    return {
      url,
      kind: 'embedded',
      stop: async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
      // The postmaster gets SIGINT from embedded-postgres' own exit hook; the files are ours.
      stopSync: () => rmSync(dataDir, { recursive: true, force: true }),
    };
  } catch (err) {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Far beyond any load here: limits that answer RATE_LIMITED would measure the limiter, not the service. */
const UNREACHABLE = '1000000000';

/**
 * Production settings with secrets generated for this run only. Rate-limit budgets are raised out
 * of reach (all traffic comes from one IP, and each refresh session rotates far more often than
 * a real client), but the limiter still counts every attempt in its store, so its cost is measured.
 */
export function serviceEnv(opts: { databaseUrl: string; port: number; cost: number }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    PUBLIC_WEB_URL: 'https://account.bench.example',
    DATABASE_URL: opts.databaseUrl,
    FIELD_ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
    PASSWORD_PEPPER: randomBytes(32).toString('base64'),
    BCRYPT_COST: String(opts.cost),
    PORT: String(opts.port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_LOGIN_PER_MINUTE: UNREACHABLE,
    RATE_LIMIT_LOGIN_FAILURES_PER_DAY: UNREACHABLE,
    RATE_LIMIT_REGISTER_PER_HOUR: UNREACHABLE,
    RATE_LIMIT_REFRESH_PER_MINUTE: UNREACHABLE,
    // The production default store, whatever the caller's environment says.
    RATE_LIMIT_STORE: 'postgres',
    REDIS_URL: '',
  };
}

export interface ServerHandle {
  pid: number;
  url: string;
  stop(): Promise<void>;
  stopSync(): void;
}

/**
 * Starts the built service (`node dist/src/main.js`, or another entry) as its own process, so that the load
 * generator never shares its event loop, and waits until /readyz answers 200.
 * BENCH_SERVER_NODE_ARGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=.data/prof".
 */
export async function startServer(env: NodeJS.ProcessEnv, entry = 'dist/src/main.js'): Promise<ServerHandle> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(process.stderr, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`server exited (${signal ?? code})`)),
  );
  const url = `http://127.0.0.1:${env.PORT}`;
  const handle: ServerHandle = {
    pid: child.pid ?? 0,
    url,
    stop: () => stopChild(child),
    stopSync: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return handle;
    const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, undefined))]);
    if (typeof early === 'string') throw new Error(early);
  }
  await handle.stop();
  throw new Error('server did not become ready within 60 s');
}

/**
 * SIGTERM lets the service drain and close its pool; SIGKILL when it has not exited within 5 s
 * (it then logs a warning: a service that ignores SIGTERM is a bug worth seeing).
 */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log('server did not exit within 5 s of SIGTERM: sending SIGKILL');
      child.kill('SIGKILL');
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const statusField = (pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Peak resident memory of a process over one measurement. Writing 5 to clear_refs resets the
 * kernel's high-water mark (VmHWM), which is then exact; where that is not allowed, VmRSS
 * polled every 50 ms gives a close lower bound.
 */
export function watchMemory(pid: number): { stop(): number | undefined } {
  let exact = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    exact = true;
  } catch {
    // not Linux, or not allowed: polling only
  }
  let polled = statusField(pid, 'VmRSS') ?? 0;
  const timer = setInterval(() => {
    polled = Math.max(polled, statusField(pid, 'VmRSS') ?? 0);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      const peak = exact ? statusField(pid, 'VmHWM') : undefined;
      return peak ?? (polled || undefined);
    },
  };
}
