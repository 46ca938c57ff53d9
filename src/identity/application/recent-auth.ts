import type { Clock } from '../../kernel/clock.js';
import { forbidden } from '../../kernel/errors.js';
import { Session } from '../domain/session.entity.js';
import type { ConfirmPassword } from './password-confirmation.js';
import type { RequestContext } from './request-context.js';

/** How recent a sign-in must be to change second factors without typing the password again. */
export const RECENT_LOGIN_SECONDS = 300;

/**
 * Factor changes need the password, or a session that signed in within the last five minutes.
 * A wrong password is INVALID_CREDENTIALS; an old session without a password is FORBIDDEN (sign
 * in again, or send the password).
 */
export function createRecentAuth(deps: { confirmPassword: ConfirmPassword; clock: Clock }) {
  return async function assertRecentAuth(ctx: RequestContext, password?: string | null): Promise<void> {
    const principal = await ctx.principal();
    if (password) {
      await deps.confirmPassword(ctx, password);
      return;
    }
    const session = await ctx.em.findOneOrFail(Session, principal.sessionId);
    if (deps.clock.now().getTime() - session.createdAt.getTime() > RECENT_LOGIN_SECONDS * 1000) {
      throw forbidden(
        `Confirm your password: the last sign-in on this device was more than ${RECENT_LOGIN_SECONDS / 60} minutes ago`,
      );
    }
  };
}

export type AssertRecentAuth = ReturnType<typeof createRecentAuth>;
