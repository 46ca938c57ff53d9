import type { Clock } from '../../../kernel/clock.js';
import { Session } from '../../domain/session.entity.js';
import type { RequestContext } from '../request-context.js';

/** The caller's live sessions (signed-in devices), most recently used first. */
export function createMySessions(deps: { clock: Clock }) {
  return async function mySessions(ctx: RequestContext): Promise<Session[]> {
    const { userId } = await ctx.principal();
    return ctx.em.find(
      Session,
      { user: userId, revokedAt: null, expiresAt: { $gt: deps.clock.now() } },
      { orderBy: { lastUsedAt: 'desc', createdAt: 'desc' } },
    );
  };
}
