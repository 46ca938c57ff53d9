import type { EntityManager } from '@mikro-orm/postgresql';
import { Session } from '../domain/session.entity.js';

/** How long an ended session stays visible to operators before it is deleted. */
export const ENDED_SESSION_RETENTION_SECONDS = 7 * 86400;

/**
 * Deletes sessions that ended (revoked or expired) more than the retention ago,
 * with their retired refresh tokens (ON DELETE CASCADE). Idempotent, so every
 * instance may run it; it runs at start-up and hourly.
 */
export async function purgeEndedSessions(em: EntityManager, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ENDED_SESSION_RETENTION_SECONDS * 1000);
  return em.nativeDelete(Session, { $or: [{ revokedAt: { $lt: cutoff } }, { expiresAt: { $lt: cutoff } }] });
}
