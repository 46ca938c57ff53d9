import type { Clock } from '../../../kernel/clock.js';
import { Passkey } from '../../domain/passkey.entity.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endAllSessions } from '../end-sessions.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RequestContext } from '../request-context.js';

/** Soft delete with erasure of personal data; every session ends. Needs the password. */
export function createDeleteAccount(deps: {
  confirmPassword: ConfirmPassword;
  clock: Clock;
  inTransaction: InTransaction;
}) {
  return async function deleteAccount(ctx: RequestContext, password: string): Promise<boolean> {
    const principal = await ctx.principal();
    await deps.confirmPassword(ctx, password);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, async (tx, record) => {
      const now = deps.clock.now();
      // Every secret column loaded, so that clearing one writes NULL (the request's user may
      // have come from authentication, which leaves them unloaded).
      const user = await tx.findOneOrFail(User, principal.userId, {
        populate: ['mfaSecret', 'totpPendingSecret'],
      });
      user.erase(now);
      // Its passkeys go too: a deleted account keeps no credential.
      await tx.nativeDelete(Passkey, { user: user.id });
      await endAllSessions(tx, record, user.id, SessionRevocation.ACCOUNT_DISABLED, now);
      return true;
    });
  };
}
