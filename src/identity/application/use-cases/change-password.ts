import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { NewPassword } from '../new-password.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RequestContext } from '../request-context.js';

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** Needs the current password; applies the policy; signs out every other device; tells the owner. */
export function createChangePassword(deps: {
  confirmPassword: ConfirmPassword;
  newPassword: NewPassword;
  inTransaction: InTransaction;
}) {
  return async function changePassword(ctx: RequestContext, input: ChangePasswordInput): Promise<boolean> {
    const principal = await ctx.principal();
    const current = await deps.confirmPassword(ctx, input.currentPassword);
    const hash = await deps.newPassword.hash(current, input.newPassword);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, async (tx, record) => {
      const user = await tx.findOneOrFail(User, principal.userId);
      await deps.newPassword.apply(tx, record, user, hash, {
        via: 'change',
        keepSessionId: principal.sessionId,
      });
      return true;
    });
  };
}
