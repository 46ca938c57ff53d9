import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../../kernel/clock.js';
import { invalidCredentials } from '../../../kernel/errors.js';
import type { Principal, RequestMeta } from '../../domain/principal.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import { revokeUserSessions } from '../../persistence/session-revocation.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';

/** Soft delete with erasure of personal data; every session ends. Needs the password. */
export function createDeleteAccount(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  inTransaction: InTransaction;
}) {
  return {
    async execute(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      password: string,
    ): Promise<boolean> {
      const current = await em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
      if (!(await deps.hasher.verify(password, current.passwordHash))) throw invalidCredentials();
      return deps.inTransaction(em, { meta, actorId: principal.userId }, async (tx, record) => {
        const now = deps.clock.now();
        // Every secret column loaded, so that clearing one writes NULL (the request's user may
        // have come from authentication, which leaves them unloaded).
        const user = await tx.findOneOrFail(User, principal.userId, {
          populate: ['mfaSecret', 'totpPendingSecret'],
        });
        user.erase(now);
        await revokeUserSessions(tx, record, user.id, SessionRevocation.ACCOUNT_DISABLED, now);
        return true;
      });
    },
  };
}
