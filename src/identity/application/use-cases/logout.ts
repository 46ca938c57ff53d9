import type { Clock } from '../../../kernel/clock.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endOwnSession } from '../end-sessions.js';
import type { RequestContext } from '../request-context.js';

/** Ends the session of the access token making the request. */
export function createLogout(deps: { clock: Clock; inTransaction: InTransaction }) {
  return async function logout(ctx: RequestContext): Promise<boolean> {
    const principal = await ctx.principal();
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, (tx) =>
      endOwnSession(tx, principal.userId, principal.sessionId, SessionRevocation.LOGOUT, deps.clock.now()),
    );
    return true;
  };
}
