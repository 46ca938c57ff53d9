import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../kernel/errors.js';
import { isUuid } from '../../kernel/ids.js';
import { Session, type SessionRevocation } from '../domain/session.entity.js';
import { revokeUserSessions } from '../persistence/session-revocation.js';
import type { RecordEvent } from '../persistence/unit-of-work.js';

/**
 * Ending sessions, in the caller's transaction: one of the user's own (by id), or every live one
 * at once. Either way their access tokens fail from the next request on.
 */

/** Ends one of the user's own live sessions; another user's, or an unknown id, is NOT_FOUND alike. */
export async function endOwnSession(
  tx: EntityManager,
  userId: string,
  sessionId: string,
  reason: SessionRevocation,
  now: Date,
): Promise<void> {
  const session = isUuid(sessionId)
    ? await tx.findOne(Session, { id: sessionId, user: userId, revokedAt: null })
    : null;
  if (!session?.isActive(now)) throw notFound('Session not found');
  session.revoke(reason, now);
}

/** Ends every live session of the user, optionally but one; returns how many. */
export const endAllSessions = (
  tx: EntityManager,
  record: RecordEvent,
  userId: string,
  reason: SessionRevocation,
  now: Date,
  exceptSessionId?: string,
): Promise<number> => revokeUserSessions(tx, record, userId, reason, now, exceptSessionId);
