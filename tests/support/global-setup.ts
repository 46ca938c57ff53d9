import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

declare global {
  // Shared between global setup and teardown (same process).
  var __testPostgres: { stop(): Promise<void> } | undefined;
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when given, otherwise an
 * embedded throw-away cluster. Each test file then creates its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const root = join(__dirname, '..', '..', '.data');
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
    const pid = Number(/^test-(\d+)$/.exec(name)?.[1]);
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
