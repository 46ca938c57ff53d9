import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../kernel/clock.js';
import { forbidden, notFound } from '../../../kernel/errors.js';
import { isUuid } from '../../../kernel/ids.js';
import { Role, UserStatus } from '../../domain/enums.js';
import type { Principal, RequestMeta } from '../../domain/principal.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import { revokeUserSessions } from '../../persistence/session-revocation.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';

export type AdminAction =
  | { kind: 'lock'; reason?: string | null }
  | { kind: 'unlock' }
  | { kind: 'suspend'; reason?: string | null }
  | { kind: 'reactivate' }
  | { kind: 'setRole'; role: Role };

export function requireAdmin(principal: Principal): void {
  if (principal.role !== Role.ADMIN) throw forbidden('Admins only');
}

/** Loads a user by id for an admin; a malformed or unknown id is NOT_FOUND. */
export async function findUserForAdmin(em: EntityManager, id: string): Promise<User> {
  const user = isUuid(id) ? await em.findOne(User, id) : null;
  if (!user) throw notFound('User not found');
  return user;
}

/**
 * Status and role changes made by an admin, in one transaction. Locking and
 * suspending sign the user out everywhere at once. An admin cannot take away
 * the last active admin account (their own demotion, suspension or lock).
 */
export function createAdministerUser(deps: { clock: Clock; inTransaction: InTransaction }) {
  return {
    async execute(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      id: string,
      action: AdminAction,
    ): Promise<User> {
      requireAdmin(principal);
      return deps.inTransaction(em, { meta, actorId: principal.userId }, async (tx, record) => {
        const user = await findUserForAdmin(tx, id);
        const disablesAdmin =
          user.role === Role.ADMIN &&
          (action.kind === 'lock' ||
            action.kind === 'suspend' ||
            (action.kind === 'setRole' && action.role !== Role.ADMIN));
        if (disablesAdmin && user.id === principal.userId) {
          const otherAdmins = await tx.count(User, {
            role: Role.ADMIN,
            status: UserStatus.ACTIVE,
            id: { $ne: user.id },
          });
          if (otherAdmins === 0) throw forbidden('The last admin cannot demote, suspend or lock themselves');
        }
        const now = deps.clock.now();
        switch (action.kind) {
          case 'lock':
            user.lock(action.reason);
            await revokeUserSessions(tx, record, user.id, SessionRevocation.ACCOUNT_DISABLED, now);
            break;
          case 'suspend':
            user.suspend(action.reason);
            await revokeUserSessions(tx, record, user.id, SessionRevocation.ACCOUNT_DISABLED, now);
            break;
          case 'unlock':
            user.unlock();
            break;
          case 'reactivate':
            user.reactivate();
            break;
          case 'setRole':
            user.setRole(action.role);
            break;
        }
        return user;
      });
    },
  };
}
