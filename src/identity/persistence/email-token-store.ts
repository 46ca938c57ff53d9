import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmailTokenPurpose } from '../domain/email-token.entity.js';

const placeholders = (values: unknown[]) => values.map(() => '?').join(', ');

/**
 * Uses a link's token, in the caller's transaction: the statement that finds it marks it used, so
 * a link works once even when followed twice at the same moment. Returns the account and the
 * address it was sent to, or undefined for an unknown, used or expired token.
 */
export async function consumeEmailToken(
  tx: EntityManager,
  token: { tokenHash: string; purposes: EmailTokenPurpose[]; now: Date },
): Promise<{ userId: string; email: string; purpose: EmailTokenPurpose } | undefined> {
  const rows = await tx.execute<{ user_id: string; email: string; purpose: EmailTokenPurpose }[]>(
    `update email_tokens set used_at = ?
      where token_hash = ? and purpose in (${placeholders(token.purposes)}) and used_at is null and expires_at > ?
      returning user_id, email, purpose`,
    [token.now, token.tokenHash, ...token.purposes, token.now],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, email: row.email, purpose: row.purpose } : undefined;
}

/** Ends the unused links of one purpose (a new one replaces them, or the account changed). */
export async function retireEmailTokens(
  tx: EntityManager,
  userId: string,
  purposes: EmailTokenPurpose[],
  now: Date,
): Promise<void> {
  await tx.execute(
    `update email_tokens set used_at = ? where user_id = ? and purpose in (${placeholders(purposes)}) and used_at is null`,
    [now, userId, ...purposes],
  );
}
