import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import { invalidCredentials } from '../../../kernel/errors.js';
import { RecoveryCode } from '../../domain/mfa.entities.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RequestContext } from '../request-context.js';
import type { SecondFactor } from '../second-factor.js';

export interface DisableMfaInput {
  password: string;
  /** A TOTP code, an SMS code or a recovery code. */
  code: string;
}

/** Turns every second factor off; needs the password and a current code. */
export function createDisableMfa(deps: {
  confirmPassword: ConfirmPassword;
  secondFactor: SecondFactor;
  limits: RateLimits;
  inTransaction: InTransaction;
  outbox: Outbox;
  messages: MailMessages;
}) {
  return async function disableMfa(ctx: RequestContext, input: DisableMfaInput): Promise<boolean> {
    const { userId } = await ctx.principal();
    const current = await deps.confirmPassword(ctx, input.password);
    if (!current.mfaEnabled) return true;
    await deps.limits.codeAttempt(userId);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx) => {
      // Every secret column loaded, so that clearing one writes NULL (the request's user may
      // have come from authentication, which leaves them unloaded).
      const user = await tx.findOneOrFail(User, userId, { populate: ['mfaSecret', 'totpPendingSecret'] });
      const factor = await deps.secondFactor.check(tx, user, input.code, {});
      if (!factor) throw invalidCredentials();
      user.disableMfa();
      await deps.outbox.mail(tx, deps.messages.mfaDisabled(user.email));
      await tx.nativeDelete(RecoveryCode, { user: user.id });
      return true;
    });
  };
}
