import type { Clock } from '../../../kernel/clock.js';
import { forbidden } from '../../../kernel/errors.js';
import { Role, UserStatus } from '../../domain/enums.js';
import { Passkey } from '../../domain/passkey.entity.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { endAllSessions } from '../end-sessions.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RequestContext } from '../request-context.js';
import { ADMIN_CHANGES_LOCK_ID } from './administer-user.js';

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
      // An admin's deletion takes the admins' lock and counts the others under it, as an admin's
      // change of role or status does: the service always keeps an active admin.
      if (principal.role === Role.ADMIN) {
        await tx.execute('select pg_advisory_xact_lock(?)', [ADMIN_CHANGES_LOCK_ID]);
        const others = await tx.count(User, {
          role: Role.ADMIN,
          status: UserStatus.ACTIVE,
          id: { $ne: principal.userId },
        });
        if (others === 0) throw forbidden('The last admin cannot delete their account');
      }
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
