import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput } from '../../../kernel/errors.js';
import { EmailToken, EmailTokenPurpose, hashEmailToken } from '../../domain/email-token.entity.js';
import { checkPassword } from '../../domain/password-policy.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import { consumeEmailToken, retireEmailTokens } from '../../persistence/email-token-store.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endAllSessions } from '../end-sessions.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { RequestContext } from '../request-context.js';

const invalidLink = () => badInput('token', 'This link is invalid, used or expired');

export interface ResetPasswordInput {
  token: string;
  newPassword: string;
}

/**
 * Sets a new password with a reset link: the password policy applies, the link works once, every
 * session ends, a temporary lockout is lifted, and the owner is told by email.
 */
export function createResetPassword(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  inTransaction: InTransaction;
  outbox: Outbox;
  messages: MailMessages;
  passwordMinLength: number;
}) {
  return async function resetPassword(ctx: RequestContext, input: ResetPasswordInput): Promise<boolean> {
    const tokenHash = hashEmailToken(input.token);
    const link = await ctx.em.findOne(
      EmailToken,
      {
        tokenHash,
        purpose: EmailTokenPurpose.RESET_PASSWORD,
        usedAt: null,
        expiresAt: { $gt: deps.clock.now() },
      },
      { populate: ['user'] },
    );
    if (!link) throw invalidLink();
    const owner = link.user.getEntity();
    checkPassword(
      input.newPassword,
      { minLength: deps.passwordMinLength, context: { username: owner.username, email: owner.email } },
      'newPassword',
    );
    const hash = await deps.hasher.hash(input.newPassword);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: owner.id }, async (tx, record) => {
      const now = deps.clock.now();
      // Taken in the statement that finds it: a link followed twice at once works once.
      const used = await consumeEmailToken(tx, {
        tokenHash,
        purposes: [EmailTokenPurpose.RESET_PASSWORD],
        now,
      });
      if (!used) throw invalidLink();
      const user = await tx.findOneOrFail(User, used.userId);
      if (user.email !== used.email) throw invalidLink();
      user.resetPassword(hash, now);
      await endAllSessions(tx, record, user.id, SessionRevocation.PASSWORD_CHANGED, now);
      await retireEmailTokens(tx, user.id, [EmailTokenPurpose.RESET_PASSWORD], now);
      await deps.outbox.mail(tx, deps.messages.passwordChanged(user.email));
      return true;
    });
  };
}
