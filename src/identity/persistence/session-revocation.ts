import type { EntityManager } from '@mikro-orm/postgresql';
import { Session, type SessionRevocation } from '../domain/session.entity.js';
import type { RecordEvent } from './unit-of-work.js';

/**
 * Ends every live session of a user (optionally all but one) in one statement, in the caller's
 * transaction, writing what `Session.ended` says; returns how many. Their access tokens fail from
 * the next request on.
 */
export async function revokeUserSessions(
  em: EntityManager,
  record: RecordEvent,
  userId: string,
  reason: SessionRevocation,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  // The account's row first, as a refresh locks it (FOR SHARE) before its session: ending the
  // sessions and then changing the account (a password, a status) in the other order could deadlock
  // with a refresh of one of them.
  await em.execute('select 1 from users where id = ? for no key update', [userId]);
  const { revokedAt, revokedReason } = Session.ended(reason, now);
  const count = await em.nativeUpdate(
    Session,
    {
      user: userId,
      revokedAt: null,
      expiresAt: { $gt: now },
      ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}),
    },
    // The grace copy erased as NULL: nativeUpdate skips undefined.
    { revokedAt, revokedReason, graceTokenCiphertext: null },
  );
  if (count > 0) record(Session.endedInBulk(userId, reason, count));
  return count;
}
