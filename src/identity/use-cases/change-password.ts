import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../security/password-hasher.js';
import type { Clock } from '../../shared/clock.js';
import { invalidCredentials } from '../../shared/errors.js';
import { checkPassword } from '../password-policy.js';
import type { Principal } from '../principal.js';
import { SessionRevocation } from '../session.entity.js';
import { revokeUserSessions } from '../session-revocation.js';
import { User } from '../user.entity.js';

/** Needs the current password; applies the policy; signs out every other device. */
export function createChangePassword(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  passwordMinLength: number;
}) {
  return {
    async execute(
      em: EntityManager,
      principal: Principal,
      currentPassword: string,
      newPassword: string,
    ): Promise<boolean> {
      const user = await em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
      if (!(await deps.hasher.verify(currentPassword, user.passwordHash))) throw invalidCredentials();
      checkPassword(
        newPassword,
        { minLength: deps.passwordMinLength, context: { username: user.username, email: user.email } },
        'newPassword',
      );
      const hash = await deps.hasher.hash(newPassword);
      await em.transactional(async (tx) => {
        const now = deps.clock.now();
        tx.merge(user).changePassword(hash, now);
        await revokeUserSessions(tx, user.id, SessionRevocation.PASSWORD_CHANGED, now, principal.sessionId);
      });
      return true;
    },
  };
}
