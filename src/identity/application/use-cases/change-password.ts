import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../../kernel/clock.js';
import { checkPassword } from '../../domain/password-policy.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endAllSessions } from '../end-sessions.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RequestContext } from '../request-context.js';

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** Needs the current password; applies the policy; signs out every other device. */
export function createChangePassword(deps: {
  hasher: PasswordHasher;
  confirmPassword: ConfirmPassword;
  clock: Clock;
  inTransaction: InTransaction;
  passwordMinLength: number;
  outbox: Outbox;
  messages: MailMessages;
}) {
  return async function changePassword(ctx: RequestContext, input: ChangePasswordInput): Promise<boolean> {
    const principal = await ctx.principal();
    const current = await deps.confirmPassword(ctx, input.currentPassword);
    checkPassword(
      input.newPassword,
      { minLength: deps.passwordMinLength, context: { username: current.username, email: current.email } },
      'newPassword',
    );
    const hash = await deps.hasher.hash(input.newPassword);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, async (tx, record) => {
      const now = deps.clock.now();
      const user = await tx.findOneOrFail(User, principal.userId);
      user.changePassword(hash, now);
      await deps.outbox.mail(tx, deps.messages.passwordChanged(user.email));
      await endAllSessions(tx, record, user.id, SessionRevocation.PASSWORD_CHANGED, now, principal.sessionId);
      return true;
    });
  };
}
