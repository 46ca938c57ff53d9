import { hashRefreshToken } from '../../../adapters/tokens/refresh-tokens.js';
import type { Clock } from '../../../kernel/clock.js';
import { DomainError, ErrorCode, UnauthenticatedReason, unauthenticated } from '../../../kernel/errors.js';
import { Session, SessionRevocation } from '../../domain/session.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endOwnSession } from '../end-sessions.js';
import type { RequestContext } from '../request-context.js';

/**
 * Ends the session of the access token making the request, or, without one, the session whose
 * current refresh token the request carries (a browser signing out from its refresh cookie after
 * its access token expired).
 */
export function createLogout(deps: { clock: Clock; inTransaction: InTransaction }) {
  return async function logout(ctx: RequestContext, opts: { refreshToken?: string } = {}): Promise<boolean> {
    const signedIn = await ctx.principal().catch((err: unknown) => {
      const unauthenticatedRequest = err instanceof DomainError && err.code === ErrorCode.UNAUTHENTICATED;
      if (unauthenticatedRequest && opts.refreshToken) return undefined;
      throw err;
    });
    const { userId, sessionId } = signedIn ?? (await sessionOfRefreshToken(ctx, opts.refreshToken as string));
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, (tx) =>
      endOwnSession(tx, userId, sessionId, SessionRevocation.LOGOUT, deps.clock.now()),
    );
    return true;
  };
}

async function sessionOfRefreshToken(ctx: RequestContext, refreshToken: string) {
  const session = await ctx.em.findOne(Session, {
    refreshTokenHash: hashRefreshToken(refreshToken),
    revokedAt: null,
  });
  if (!session)
    throw unauthenticated('Refresh token is invalid or expired', UnauthenticatedReason.TOKEN_INVALID);
  return { userId: session.user.id, sessionId: session.id };
}
