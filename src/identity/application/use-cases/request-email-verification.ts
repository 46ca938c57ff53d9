import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import { EmailTokenPurpose } from '../../domain/email-token.entity.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { SendLink } from '../email-links.js';
import type { RequestContext } from '../request-context.js';

/** Sends the signed-in account a new verification link (3 an hour); nothing when it is verified already. */
export function createRequestEmailVerification(deps: {
  limits: RateLimits;
  sendLink: SendLink;
  inTransaction: InTransaction;
}) {
  return async function requestEmailVerification(ctx: RequestContext): Promise<boolean> {
    const { userId } = await ctx.principal();
    await deps.limits.emailLink(userId);
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx, record) => {
      const user = await tx.findOneOrFail(User, userId);
      if (user.emailVerified) return;
      await deps.sendLink(tx, user, EmailTokenPurpose.VERIFY_EMAIL, user.email);
      record({ type: 'email.verification_sent', subjectId: userId, data: {} });
    });
    return true;
  };
}
