import type { Clock } from '../../../kernel/clock.js';
import { badInput } from '../../../kernel/errors.js';
import { EmailToken, EmailTokenPurpose, hashEmailToken } from '../../domain/email-token.entity.js';
import { User } from '../../domain/user.entity.js';
import { consumeEmailToken, retireEmailTokens } from '../../persistence/email-token-store.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { NewPassword } from '../new-password.js';
import type { RequestContext } from '../request-context.js';

const invalidLink = () => badInput('token', 'This link is invalid, used or expired');

export interface ResetPasswordInput {
  token: string;
  newPassword: string;
}

/**
 * Sets a new password with a reset link: the password policy applies, the link works once, every
 * session ends, a temporary lockout is lifted, and the owner is told by email (new-password.ts).
 */
export function createResetPassword(deps: {
  clock: Clock;
  inTransaction: InTransaction;
  newPassword: NewPassword;
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
    const hash = await deps.newPassword.hash(owner, input.newPassword);
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
      await deps.newPassword.apply(tx, record, user, hash, { via: 'reset' });
      await retireEmailTokens(tx, user.id, [EmailTokenPurpose.RESET_PASSWORD], now);
      return true;
    });
  };
}
