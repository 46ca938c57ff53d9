import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../kernel/clock.js';
import { forbidden, notFound } from '../../../kernel/errors.js';
import { isUuid } from '../../../kernel/ids.js';
import { Role, UserStatus } from '../../domain/enums.js';
import { SessionRevocation } from '../../domain/session.entity.js';
import { User } from '../../domain/user.entity.js';
import {
  type AdminAction,
  applyAdminAction,
  assertKeepsAnAdmin,
  disablesAdmin,
} from '../../domain/user-administration.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { requireAdmin } from '../authorization.js';
import { endAllSessions } from '../end-sessions.js';
import type { RequestContext } from '../request-context.js';

/** The transaction-scoped advisory lock that serialises admins' changes of roles and status. */
export const ADMIN_CHANGES_LOCK_ID = 0xad3175;

/** Loads a user by id for an admin; a malformed or unknown id is NOT_FOUND. */
export async function findUserForAdmin(em: EntityManager, id: string): Promise<User> {
  const user = isUuid(id) ? await em.findOne(User, id) : null;
  if (!user) throw notFound('User not found');
  return user;
}

/**
 * Status and role changes made by an admin, in one transaction. Locking and suspending sign the
 * user out everywhere at once. The service always keeps an active admin.
 */
export function createAdministerUser(deps: { clock: Clock; inTransaction: InTransaction }) {
  return async function administerUser(ctx: RequestContext, id: string, action: AdminAction): Promise<User> {
    const principal = await ctx.principal();
    requireAdmin(principal);
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: principal.userId }, async (tx, record) => {
      // Admins' changes run one at a time across the fleet, and the actor is read again under the
      // lock: two admins disabling each other, or themselves, at once cannot leave no active admin.
      await tx.execute('select pg_advisory_xact_lock(?)', [ADMIN_CHANGES_LOCK_ID]);
      const actor = await tx.findOne(User, principal.userId, { refresh: true });
      if (actor?.role !== Role.ADMIN || actor.status !== UserStatus.ACTIVE) throw forbidden('Admins only');
      const user = await findUserForAdmin(tx, id);
      const otherAdmins =
        user.id === principal.userId && disablesAdmin(user, action)
          ? await tx.count(User, { role: Role.ADMIN, status: UserStatus.ACTIVE, id: { $ne: user.id } })
          : 1;
      assertKeepsAnAdmin(user, action, principal.userId, otherAdmins);
      if (applyAdminAction(user, action))
        await endAllSessions(tx, record, user.id, SessionRevocation.ACCOUNT_DISABLED, deps.clock.now());
      return user;
    });
  };
}
