import type { EntityManager } from '@mikro-orm/postgresql';
import type { InTransaction } from '../../audit/unit-of-work.js';
import type { Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { Principal, RequestMeta } from '../principal.js';
import { Session, SessionRevocation } from '../session.entity.js';
import { revokeUserSessions } from '../session-revocation.js';

/** Signing out devices: the current one, one by id, or all of them (optionally keeping the current one). */
export function createRevokeSessions(deps: { clock: Clock; inTransaction: InTransaction }) {
  const revokeOwn = (
    em: EntityManager,
    principal: Principal,
    meta: RequestMeta,
    sessionId: string,
    reason: SessionRevocation,
  ) =>
    deps.inTransaction(em, { meta, actorId: principal.userId }, async (tx) => {
      const session = isUuid(sessionId)
        ? await tx.findOne(Session, { id: sessionId, user: principal.userId, revokedAt: null })
        : null;
      if (!session?.isActive(deps.clock.now())) throw notFound('Session not found');
      session.revoke(reason, deps.clock.now());
      return true;
    });

  return {
    /** Ends the session of the access token making the request. */
    current: (em: EntityManager, principal: Principal, meta: RequestMeta) =>
      revokeOwn(em, principal, meta, principal.sessionId, SessionRevocation.LOGOUT),

    /** Revokes one of the caller's own live sessions; anyone else's is NOT_FOUND, like a missing one. */
    one: (em: EntityManager, principal: Principal, meta: RequestMeta, sessionId: string) =>
      revokeOwn(em, principal, meta, sessionId, SessionRevocation.REVOKED),

    /** Revokes every live session of the caller; returns how many. */
    all: (em: EntityManager, principal: Principal, meta: RequestMeta, keepCurrent: boolean) =>
      deps.inTransaction(em, { meta, actorId: principal.userId }, (tx, record) => {
        const except = keepCurrent ? principal.sessionId : undefined;
        return revokeUserSessions(
          tx,
          record,
          principal.userId,
          SessionRevocation.REVOKED,
          deps.clock.now(),
          except,
        );
      }),
  };
}
