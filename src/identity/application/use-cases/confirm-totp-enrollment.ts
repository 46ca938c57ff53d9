import { ref } from '@mikro-orm/core';
import type { FieldEncryption } from '../../../adapters/crypto/field-encryption.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput, invalidCredentials } from '../../../kernel/errors.js';
import { MfaMethod } from '../../domain/enums.js';
import { RecoveryCode } from '../../domain/mfa.entities.js';
import {
  type CodeHasher,
  newRecoveryCode,
  RECOVERY_CODE_COUNT,
  TOTP_PENDING_SECRET_CONTEXT,
  TOTP_SECRET_CONTEXT,
  totpStep,
} from '../../domain/one-time-codes.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';

/** Turns TOTP on with a code from the pending secret; returns 10 recovery codes, shown this once. */
export function createConfirmTotpEnrollment(deps: {
  clock: Clock;
  encryption: FieldEncryption;
  hashCode: CodeHasher;
  limits: RateLimits;
  assertRecentAuth: AssertRecentAuth;
  inTransaction: InTransaction;
}) {
  return async function confirmTotpEnrollment(ctx: RequestContext, code: string): Promise<string[]> {
    await deps.assertRecentAuth(ctx);
    const { userId } = await ctx.principal();
    await deps.limits.codeAttempt(userId);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx) => {
      const user = await tx.findOneOrFail(User, userId, { populate: ['totpPendingSecret'] });
      if (!user.totpPendingSecret) throw badInput('code', 'Start with beginTotpEnrollment');
      const secret = deps.encryption.decrypt(user.totpPendingSecret, TOTP_PENDING_SECRET_CONTEXT);
      const step = totpStep(secret, code.trim(), deps.clock.now());
      if (step === undefined) throw invalidCredentials();
      user.enableMfa(MfaMethod.TOTP, deps.encryption.encrypt(secret, TOTP_SECRET_CONTEXT));
      user.totpLastStep = String(step);
      await tx.nativeDelete(RecoveryCode, { user: user.id });
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      for (const c of codes) tx.persist(new RecoveryCode(ref(user), deps.hashCode('recovery', c)));
      return codes;
    });
  };
}
