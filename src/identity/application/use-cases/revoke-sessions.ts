import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../kernel/clock.js';
import { notFound } from '../../../kernel/errors.js';
import { isUuid } from '../../../kernel/ids.js';
import type { Principal, RequestMeta } from '../../domain/principal.js';
import { Session, SessionRevocation } from '../../domain/session.entity.js';
import { revokeUserSessions } from '../../persistence/session-revocation.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';

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
