import type { Clock } from '../../../kernel/clock.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endOwnSession } from '../end-sessions.js';
import type { RequestContext } from '../request-context.js';

/** Signs out one of the caller's own devices; anyone else's session is NOT_FOUND, like a missing one. */
export function createRevokeSession(deps: { clock: Clock; inTransaction: InTransaction }) {
  return async function revokeSession(ctx: RequestContext, sessionId: string): Promise<boolean> {
    const principal = await ctx.principal();
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, (tx) =>
      endOwnSession(tx, principal.userId, sessionId, SessionRevocation.REVOKED, deps.clock.now()),
    );
    return true;
  };
}
