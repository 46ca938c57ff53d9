import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type DebianProgram, findOrUnpackProgram, type ProgramBinary } from './debian-packages';
import { freePort } from './ports';

/** Debian's pgbouncer and the libraries it needs beyond a base system (libpam0g and libsystemd0 are in it). */
const PGBOUNCER: DebianProgram = {
  name: 'pgbouncer',
  folder: 'pgbouncer',
  inTree: 'usr/sbin/pgbouncer',
  packages: ['pgbouncer', 'libevent-2.1-7', 'libc-ares2', 'libssl3'],
  otherwise: 'The pooler test needs PgBouncer: put pgbouncer on PATH',
};

/**
 * A pgbouncer for the tests: on PATH, else unpacked from Debian's packages into
 * `<dataRoot>/pgbouncer` (nothing is installed on the system).
 */
export const findPgBouncer = (dataRoot: string): ProgramBinary => findOrUnpackProgram(dataRoot, PGBOUNCER);

export interface PgBouncerOptions {
  /** The PostgreSQL server to pool, as a URL whose user and password PgBouncer logs in with. */
  serverUrl: string;
  /** Server connections per database and user: every client connection shares these. */
  poolSize: number;
}

/** One row of an admin console answer (SHOW POOLS, SHOW STATS, ...), every value as text. */
export type AdminRow = Record<string, string | null>;

export interface PgBouncerHandle {
  /** `databaseUrl` (a database on the pooled server) as reached through PgBouncer. */
  urlFor(databaseUrl: string): string;
  /** Runs `SHOW <what>` on the admin console. */
  show(what: 'POOLS' | 'STATS' | 'SERVERS' | 'CLIENTS' | 'CONFIG'): Promise<AdminRow[]>;
  stop(): Promise<void>;
}

/**
 * PgBouncer 1.21 and later can carry named prepared statements across pooled connections; turned
 * off here, so that a service using them fails these tests as it would behind an older pooler.
 */
function preparedStatementsOff(binary: ProgramBinary): string[] {
  const version = spawnSync(binary.path, ['--version'], { env: binary.env, encoding: 'utf8' }).stdout ?? '';
  const [, major, minor] = /PgBouncer (\d+)\.(\d+)/i.exec(version) ?? [];
  if (major === undefined) throw new Error(`cannot read PgBouncer's version from: ${version}`);
  return Number(major) > 1 || Number(minor) >= 21 ? ['max_prepared_statements = 0'] : [];
}

/**
 * Starts PgBouncer on a free port of 127.0.0.1 in transaction pooling mode in front of the given
 * PostgreSQL: every database of that server under the same name (a wildcard entry), the URL's
 * user logging in with its password (SCRAM between client and PgBouncer), and that user admin
 * of the console. As root it runs as `nobody` (PgBouncer refuses to run as root).
 */
export async function startPgBouncer(
  binary: ProgramBinary,
  opts: PgBouncerOptions,
): Promise<PgBouncerHandle> {
  const server = new URL(opts.serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;
  writeFileSync(join(dir, 'users.txt'), `${quoted(user)} ${quoted(password)}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      ...preparedStatementsOff(binary),
      `default_pool_size = ${opts.poolSize}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 1000',
      // A server that lets the user in without a password (an external TEST_DATABASE_URL) gets none.
      `auth_type = ${password ? 'scram-sha-256' : 'trust'}`,
      `auth_file = ${join(dir, 'users.txt')}`,
      `admin_users = ${user}`,
      // A client waiting longer than this for a server connection gets an error instead of hanging.
      'query_wait_timeout = 20',
      'log_connections = 0',
      'log_disconnections = 0',
      'log_pooler_errors = 1',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const account = process.getuid?.() === 0 ? nobody() : undefined;
  if (account) {
    for (const file of [dir, join(dir, 'users.txt'), join(dir, 'pgbouncer.ini')])
      chownSync(file, account.uid, account.gid);
  }

  const child: ChildProcess = spawn(binary.path, [join(dir, 'pgbouncer.ini')], {
    env: binary.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...account,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const adminUrl = new URL(opts.serverUrl);
  adminUrl.port = String(port);
  adminUrl.pathname = '/pgbouncer';
  const show = async (what: string): Promise<AdminRow[]> => {
    // The console speaks the simple query protocol only: a query without parameters uses it.
    const client = new Client({ connectionString: adminUrl.toString() });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query(`SHOW ${what}`)).rows;
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // PgBouncer's immediate shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited during start:\n${output}`);
    }
    try {
      await show('VERSION');
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not answer within 10 s (${String(err)}):\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    urlFor(databaseUrl: string) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    show,
    stop,
  };
}

/** The unprivileged account to run as when the tests run as root. */
function nobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}
