import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/adapters/database/embedded-postgres';
import { createLogScanDir } from './log-scan';
import { freePort } from './ports';
import { findRedisServer, startRedisServer } from './redis-server';

declare global {
  // Shared between global setup and teardown (same process).
  var __testPostgres: { stop(): Promise<void> } | undefined;
  var __testRedis: { stop(): Promise<void> } | undefined;
}

const root = join(__dirname, '..', '..', '.data');

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when given, otherwise an
 * embedded throw-away cluster. Each test file then creates its own database.
 * Likewise one Redis (for the redis rate-limit store): TEST_REDIS_URL, or a
 * throw-away redis-server. Test files keep apart by using their own keys.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_LOG_DIR = createLogScanDir(root);
  await startPostgres();
  try {
    if (!process.env.TEST_REDIS_URL) {
      const redis = await startRedisServer(findRedisServer(root), await freePort());
      process.env.TEST_REDIS_URL = redis.url;
      globalThis.__testRedis = redis;
    }
  } catch (err) {
    // Jest runs no teardown after a failed setup: leave no PostgreSQL behind.
    await globalThis.__testPostgres?.stop();
    throw err;
  }
}

async function startPostgres(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  removeStaleClusters(root);
  const dataDir = join(root, `test-${process.pid}`);
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
  process.env.TEST_DATABASE_ADMIN_URL = server.url;
  globalThis.__testPostgres = {
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Clusters of test runs that died before their teardown (their process is gone). */
function removeStaleClusters(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    // Folders named test-<pid> are clusters, test-logs-<pid> log scans; anything else (e.g. the
    // unpacked redis and pgbouncer) is kept.
    const pid = Number(/^test-(?:logs-)?(\d+)$/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
