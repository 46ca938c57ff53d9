import type { EntityManager } from '@mikro-orm/postgresql';
import type { InTransaction } from '../../audit/unit-of-work.js';
import type { PasswordHasher } from '../../security/password-hasher.js';
import type { Clock } from '../../shared/clock.js';
import { invalidCredentials } from '../../shared/errors.js';
import { checkPassword } from '../password-policy.js';
import type { Principal, RequestMeta } from '../principal.js';
import { SessionRevocation } from '../session.entity.js';
import { revokeUserSessions } from '../session-revocation.js';
import { User } from '../user.entity.js';

/** Needs the current password; applies the policy; signs out every other device. */
export function createChangePassword(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  inTransaction: InTransaction;
  passwordMinLength: number;
}) {
  return {
    async execute(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      currentPassword: string,
      newPassword: string,
    ): Promise<boolean> {
      const current = await em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
      if (!(await deps.hasher.verify(currentPassword, current.passwordHash))) throw invalidCredentials();
      checkPassword(
        newPassword,
        { minLength: deps.passwordMinLength, context: { username: current.username, email: current.email } },
        'newPassword',
      );
      const hash = await deps.hasher.hash(newPassword);
      return deps.inTransaction(em, { meta, actorId: principal.userId }, async (tx, record) => {
        const now = deps.clock.now();
        const user = await tx.findOneOrFail(User, principal.userId);
        user.changePassword(hash, now);
        await revokeUserSessions(
          tx,
          record,
          user.id,
          SessionRevocation.PASSWORD_CHANGED,
          now,
          principal.sessionId,
        );
        return true;
      });
    },
  };
}
