import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';
import { CHECKPOINT_KEY_CONTEXT } from './audit-checkpoint-keys.js';

/** Every encrypted column: table, primary key, column, and the context bound into its ciphertexts. */
export const ENCRYPTED_FIELDS = [
  { table: 'users', key: 'id', column: 'phone', context: 'users.phone' },
  { table: 'users', key: 'id', column: 'mfa_secret', context: 'users.mfa_secret' },
  { table: 'users', key: 'id', column: 'totp_pending_secret', context: 'users.totp_pending_secret' },
  { table: 'sessions', key: 'id', column: 'grace_token_ciphertext', context: 'sessions.grace_token' },
  {
    table: 'signing_keys',
    key: 'kid',
    column: 'private_jwk_ciphertext',
    context: 'signing_keys.private_jwk',
  },
  {
    table: 'audit_checkpoint_keys',
    key: 'kid',
    column: 'private_jwk_ciphertext',
    context: CHECKPOINT_KEY_CONTEXT,
  },
] as const;

const BATCH = 500;

/**
 * Re-encrypts every value that is not under the current (first) key, in
 * batches, each row updated only if it still holds the value that was read.
 * Returns how many values were rewritten per column.
 */
export async function reencryptFields(
  em: EntityManager,
  encryption: FieldEncryption,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const f of ENCRYPTED_FIELDS) {
    let rewritten = 0;
    let after = '';
    for (;;) {
      const rows: { k: string; v: string }[] = await em.execute(
        `select "${f.key}"::text as k, "${f.column}" as v from "${f.table}"
          where "${f.column}" is not null and "${f.key}"::text > ? order by "${f.key}"::text limit ?`,
        [after, BATCH],
      );
      for (const row of rows) {
        if (!encryption.needsReencryption(row.v)) continue;
        const fresh = encryption.encrypt(encryption.decrypt(row.v, f.context), f.context);
        await em.execute(
          `update "${f.table}" set "${f.column}" = ? where "${f.key}"::text = ? and "${f.column}" = ?`,
          [fresh, row.k, row.v],
        );
        rewritten += 1;
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].k;
    }
    counts[`${f.table}.${f.column}`] = rewritten;
  }
  return counts;
}
