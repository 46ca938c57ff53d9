import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '../../src/adapters/database/embedded-postgres';
import { createOrm, migrateUp, type OrmOptions } from '../../src/adapters/database/orm';

/** A fresh database with every migration applied, on the server that global setup provides. */
export async function createTestDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_ADMIN_URL;
  if (!admin)
    throw new Error('TEST_DATABASE_ADMIN_URL is not set: run the tests through jest (global setup)');
  const url = await ensureDatabase(
    admin,
    `test_${process.env.JEST_WORKER_ID ?? 0}_${randomBytes(6).toString('hex')}`,
  );
  const orm = await createOrm({ url });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  return url;
}

export const openTestOrm = (url: string, extra: Partial<OrmOptions> = {}) =>
  createOrm({ url, poolMax: 20, ...extra });
