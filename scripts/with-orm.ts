import { createFieldEncryption } from '../src/adapters/crypto/field-encryption.js';
import { openDatabase } from '../src/adapters/database/database.js';
import type { Orm } from '../src/adapters/database/orm.js';
import { openOrm } from '../src/composition-root.js';
import { loadConfig } from '../src/config/config.js';

/**
 * Runs an operator command against the configured database (DATABASE_URL, or
 * the embedded development database), then closes everything. Exit code 1 on error.
 */
export async function withOrm<T>(
  fn: (orm: Orm, config: ReturnType<typeof loadConfig>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const orm = await openOrm({ url: db.url, encryption: createFieldEncryption(config.fieldEncryptionKeys) });
  try {
    return await fn(orm, config);
  } finally {
    await orm.close();
    await db.stop();
  }
}

export function runCommand(fn: () => Promise<number | undefined>): void {
  fn().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
