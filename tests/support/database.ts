import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '../../src/adapters/database/embedded-postgres';
import { migrateUp } from '../../src/adapters/database/orm';
import { openOrm } from '../../src/composition-root';

/** A fresh database with every migration applied, on the server that global setup provides. */
export async function createTestDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_ADMIN_URL;
  if (!admin)
    throw new Error('TEST_DATABASE_ADMIN_URL is not set: run the tests through jest (global setup)');
  const url = await ensureDatabase(
    admin,
    `test_${process.env.JEST_WORKER_ID ?? 0}_${randomBytes(6).toString('hex')}`,
  );
  const orm = await openOrm({ url });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  return url;
}

export const openTestOrm = (url: string, extra: Omit<Parameters<typeof openOrm>[0], 'url'> = {}) =>
  openOrm({ url, poolMax: 20, ...extra });
