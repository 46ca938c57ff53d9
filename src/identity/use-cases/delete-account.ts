import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../security/password-hasher.js';
import type { Clock } from '../../shared/clock.js';
import { invalidCredentials } from '../../shared/errors.js';
import type { Principal } from '../principal.js';
import { SessionRevocation } from '../session.entity.js';
import { revokeUserSessions } from '../session-revocation.js';
import { User } from '../user.entity.js';

/** Soft delete with erasure of personal data; every session ends. Needs the password. */
export function createDeleteAccount(deps: { hasher: PasswordHasher; clock: Clock }) {
  return {
    async execute(em: EntityManager, principal: Principal, password: string): Promise<boolean> {
      const user = await em.findOneOrFail(User, principal.userId, {
        populate: ['passwordHash', 'mfaSecret'],
      });
      if (!(await deps.hasher.verify(password, user.passwordHash))) throw invalidCredentials();
      await em.transactional(async (tx) => {
        const now = deps.clock.now();
        tx.merge(user).erase(now);
        await revokeUserSessions(tx, user.id, SessionRevocation.ACCOUNT_DISABLED, now);
      });
      return true;
    },
  };
}
