import type { PasswordHasher } from '../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { invalidCredentials } from '../../kernel/errors.js';
import { SessionRevocation } from '../domain/session.entity.js';
import { User } from '../domain/user.entity.js';
import type { AuditTrail } from '../persistence/audit-chain.js';
import type { InTransaction } from '../persistence/unit-of-work.js';
import { endOwnSession } from './end-sessions.js';
import type { RequestContext } from './request-context.js';
import type { SignIn } from './sign-in.js';

/**
 * Re-checking the password of a signed-in user before a sensitive change (changing the password,
 * deleting the account, changing second factors): the one guard every such check goes through,
 * because whoever holds a stolen access token would otherwise guess the password here. Each
 * check is rate limited per session and per account and takes one of the account's lockout tries,
 * like a sign-in; each wrong password is audited; and after too many wrong ones in a session the
 * session ends. A wrong password is INVALID_CREDENTIALS.
 */
export function createPasswordConfirmation(deps: {
  hasher: PasswordHasher;
  limits: RateLimits;
  signIn: SignIn;
  audit: AuditTrail;
  inTransaction: InTransaction;
  clock: Clock;
}) {
  async function fail(
    ctx: RequestContext,
    reason: string,
    extra: DomainEvent[],
    endSession: boolean,
  ): Promise<never> {
    const { userId, sessionId } = await ctx.principal();
    const events = [
      { type: 'password_check.failed', subjectId: userId, data: { reason, sessionId } },
      ...extra,
    ];
    if (!endSession) {
      await deps.audit.appendNow(ctx.em, events, { meta: ctx.meta, actorId: userId });
    } else {
      await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx, record) => {
        for (const event of events) record(event);
        await endOwnSession(
          tx,
          userId,
          sessionId,
          SessionRevocation.PASSWORD_CHECKS_FAILED,
          deps.clock.now(),
        );
      });
    }
    throw invalidCredentials();
  }

  return async function confirmPassword(ctx: RequestContext, password: string): Promise<User> {
    const { userId, sessionId } = await ctx.principal();
    await deps.limits.passwordCheck(sessionId, userId);
    const reserved = await deps.signIn.reserveTry(ctx.em, userId, { kind: 'account' });
    if (!reserved) {
      await deps.hasher.verifyDummy(password);
      return fail(ctx, 'locked_out', [], false);
    }
    return deps.signIn.settleAfter(reserved, async () => {
      const user = await ctx.em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
      if (await deps.hasher.verify(password, user.passwordHash)) {
        await reserved.release();
        return user;
      }
      const locked = await reserved.wrongSecret();
      return fail(ctx, 'bad_password', locked, await deps.limits.passwordCheckFailed(sessionId));
    });
  };
}

export type ConfirmPassword = ReturnType<typeof createPasswordConfirmation>;
