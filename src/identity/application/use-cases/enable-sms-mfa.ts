import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput, invalidCredentials } from '../../../kernel/errors.js';
import { MfaMethod } from '../../domain/enums.js';
import { OneTimeCode, OneTimeCodePurpose } from '../../domain/mfa.entities.js';
import type { CodeHasher } from '../../domain/one-time-codes.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';

/** Turns SMS sign-in codes on with the code sent by requestPhoneVerification. */
export function createEnableSmsMfa(deps: {
  clock: Clock;
  hashCode: CodeHasher;
  limits: RateLimits;
  assertRecentAuth: AssertRecentAuth;
  inTransaction: InTransaction;
}) {
  return async function enableSmsMfa(ctx: RequestContext, code: string): Promise<boolean> {
    await deps.assertRecentAuth(ctx);
    const { userId } = await ctx.principal();
    await deps.limits.codeAttempt(userId);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx) => {
      const now = deps.clock.now();
      const user = await tx.findOneOrFail(User, userId);
      if (!user.phone) throw badInput('phone', 'Add a phone number to your profile first');
      const used = await tx.nativeUpdate(
        OneTimeCode,
        {
          user: user.id,
          purpose: OneTimeCodePurpose.PHONE_VERIFICATION,
          codeHash: deps.hashCode('sms', code.trim()),
          usedAt: null,
          expiresAt: { $gt: now },
        },
        { usedAt: now },
      );
      if (used !== 1) throw invalidCredentials();
      user.phoneVerifiedAt = now;
      user.enableMfa(MfaMethod.SMS);
      return true;
    });
  };
}
