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
  const port = await freePort();
  const server = await startEmbeddedPostgres({
    dataDir: join(__dirname, '..', '..', '.data', `test-${process.pid}`),
    port,
    ephemeral: true,
  });
  process.env.TEST_DATABASE_ADMIN_URL = server.url;
  globalThis.__testPostgres = server;
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
