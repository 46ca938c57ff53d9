import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { Email } from '../../domain/email.js';
import { EmailTokenPurpose } from '../../domain/email-token.entity.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { SendLink } from '../email-links.js';
import type { IdentityTasks, Outbox } from '../outbox.js';
import type { RequestContext } from '../request-context.js';

/**
 * A forgotten password. The request is answered `true` after the same work for every address (the
 * budgets, then one task written to the job queue), so neither the answer nor its timing says
 * whether an account has it; a worker then sends a reset link to an account that has it, and
 * nothing to an address that has none.
 */
export function createRequestPasswordReset(deps: { limits: RateLimits; outbox: Outbox }) {
  return async function requestPasswordReset(ctx: RequestContext, email: string): Promise<boolean> {
    const address = Email.parse(email).value;
    await deps.limits.passwordResetRequest(ctx.meta.ip, address);
    await ctx.em.transactional((tx) => deps.outbox.task(tx, 'password-reset-requested', { email: address }));
    return true;
  };
}

/** The worker's part: a reset link (30 minutes, single use) for the account with that address, if any. */
export function createPasswordResetTask(deps: {
  clock: Clock;
  sendLink: SendLink;
  inTransaction: InTransaction;
}): IdentityTasks['password-reset-requested'] {
  return async (em, { email }) => {
    await deps.inTransaction(em, {}, async (tx, record) => {
      const user = await tx.findOne(User, { email });
      if (!user || user.isDeleted) return;
      await deps.sendLink(tx, user, EmailTokenPurpose.RESET_PASSWORD, user.email);
      record({ type: 'password_reset.requested', subjectId: user.id, data: {} });
    });
  };
}
