import type { Clock } from '../../../kernel/clock.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endAllSessions } from '../end-sessions.js';
import type { RequestContext } from '../request-context.js';

/** Signs out every device of the caller, optionally but the current one; returns how many sessions ended. */
export function createRevokeAllSessions(deps: { clock: Clock; inTransaction: InTransaction }) {
  return async function revokeAllSessions(ctx: RequestContext, keepCurrent: boolean): Promise<number> {
    const principal = await ctx.principal();
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, (tx, record) =>
      endAllSessions(
        tx,
        record,
        principal.userId,
        SessionRevocation.REVOKED,
        deps.clock.now(),
        keepCurrent ? principal.sessionId : undefined,
      ),
    );
  };
}
