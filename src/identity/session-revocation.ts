import type { EntityManager } from '@mikro-orm/postgresql';
import { Session, type SessionRevocation } from './session.entity.js';

/**
 * Revokes every live session of a user (optionally all but one) in the
 * caller's transaction; returns how many. Their access tokens fail from the next request on.
 */
export function revokeUserSessions(
  em: EntityManager,
  userId: string,
  reason: SessionRevocation,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  return em.nativeUpdate(
    Session,
    {
      user: userId,
      revokedAt: null,
      expiresAt: { $gt: now },
      ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}),
    },
    { revokedAt: now, revokedReason: reason, graceTokenCiphertext: null },
  );
}
