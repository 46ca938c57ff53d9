import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../../kernel/clock.js';
import { invalidCredentials } from '../../../kernel/errors.js';
import { checkPassword } from '../../domain/password-policy.js';
import type { Principal, RequestMeta } from '../../domain/principal.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import { revokeUserSessions } from '../../persistence/session-revocation.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';

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
