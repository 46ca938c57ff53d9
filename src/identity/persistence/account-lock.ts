import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Locks the account's row until the transaction ends, so that changes checked against a count per
 * account (its passkeys) queue one after another and each counts what the one before it added.
 * FOR NO KEY UPDATE rather than FOR UPDATE: rows that reference the account (a session opening
 * meanwhile) check their foreign key with a lock this one does not wait on nor hold up.
 */
export async function lockAccountRow(tx: EntityManager, userId: string): Promise<void> {
  await tx.execute('select 1 from users where id = ? for no key update', [userId]);
}
