import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { Principal } from '../principal.js';
import { Session, SessionRevocation } from '../session.entity.js';
import { revokeUserSessions } from '../session-revocation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Signing out devices: one by id, or all of them (optionally keeping the current one). */
export function createRevokeSessions(deps: { clock: Clock }) {
  return {
    /** Revokes one of the caller's own live sessions; anyone else's is NOT_FOUND, like a missing one. */
    async one(em: EntityManager, principal: Principal, sessionId: string): Promise<boolean> {
      if (!UUID.test(sessionId)) throw notFound('Session not found');
      const session = await em.findOne(Session, { id: sessionId, user: principal.userId, revokedAt: null });
      if (!session?.isActive(deps.clock.now())) throw notFound('Session not found');
      session.revoke(SessionRevocation.REVOKED, deps.clock.now());
      await em.flush();
      return true;
    },

    /** Revokes every live session of the caller; returns how many. */
    all(em: EntityManager, principal: Principal, keepCurrent: boolean): Promise<number> {
      const except = keepCurrent ? principal.sessionId : undefined;
      return revokeUserSessions(em, principal.userId, SessionRevocation.REVOKED, deps.clock.now(), except);
    },
  };
}
