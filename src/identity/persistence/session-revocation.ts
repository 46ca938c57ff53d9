import type { EntityManager } from '@mikro-orm/postgresql';
import { Session, type SessionRevocation } from '../domain/session.entity.js';
import type { RecordEvent } from './unit-of-work.js';

/**
 * Revokes every live session of a user (optionally all but one) in the
 * caller's transaction; returns how many. Their access tokens fail from the next request on.
 */
export async function revokeUserSessions(
  em: EntityManager,
  record: RecordEvent,
  userId: string,
  reason: SessionRevocation,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  const count = await em.nativeUpdate(
    Session,
    {
      user: userId,
      revokedAt: null,
      expiresAt: { $gt: now },
      ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}),
    },
    { revokedAt: now, revokedReason: reason, graceTokenCiphertext: null },
  );
  if (count > 0) record({ type: 'sessions.revoked', subjectId: userId, data: { reason, count } });
  return count;
}
