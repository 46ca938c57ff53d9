import type { Clock } from '../../../kernel/clock.js';
import { badInput } from '../../../kernel/errors.js';
import { EmailTokenPurpose, hashEmailToken } from '../../domain/email-token.entity.js';
import { User } from '../../domain/user.entity.js';
import { consumeEmailToken, retireEmailTokens } from '../../persistence/email-token-store.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { RequestContext } from '../request-context.js';

const invalidLink = () => badInput('token', 'This link is invalid, used or expired');

/**
 * Follows a link sent by email: it proves the address the account has (verification), or confirms
 * a pending new address, which then replaces the old one; the old address is told.
 */
export function createVerifyEmail(deps: {
  clock: Clock;
  inTransaction: InTransaction;
  outbox: Outbox;
  messages: MailMessages;
}) {
  return async function verifyEmail(ctx: RequestContext, token: string): Promise<boolean> {
    return deps.inTransaction(ctx.em, { meta: ctx.meta }, async (tx) => {
      const now = deps.clock.now();
      const used = await consumeEmailToken(tx, {
        tokenHash: hashEmailToken(token),
        purposes: [EmailTokenPurpose.VERIFY_EMAIL, EmailTokenPurpose.CHANGE_EMAIL],
        now,
      });
      if (!used) throw invalidLink();
      const user = await tx.findOneOrFail(User, used.userId);
      if (used.purpose === EmailTokenPurpose.VERIFY_EMAIL) {
        // A link to an address the account no longer has proves nothing.
        if (user.email !== used.email) throw invalidLink();
        user.verifyEmail();
        return true;
      }
      if (user.pendingEmail !== used.email) throw invalidLink();
      const previous = user.confirmEmailChange();
      // Links sent to the old address stop working with it.
      await retireEmailTokens(tx, user.id, Object.values(EmailTokenPurpose), now);
      await deps.outbox.mail(tx, deps.messages.emailChanged(previous, user.email));
      return true;
    });
  };
}
