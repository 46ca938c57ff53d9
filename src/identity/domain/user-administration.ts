import { forbidden } from '../../kernel/errors.js';
import { Role } from './enums.js';
import type { User } from './user.entity.js';

/** What an admin can do to an account. */
export type AdminAction =
  | { kind: 'lock'; reason?: string | null }
  | { kind: 'unlock' }
  | { kind: 'suspend'; reason?: string | null }
  | { kind: 'reactivate' }
  | { kind: 'setRole'; role: Role };

/** Whether the action takes an admin account out of use: locking, suspending or demoting it. */
export function disablesAdmin(user: User, action: AdminAction): boolean {
  return (
    user.role === Role.ADMIN &&
    (action.kind === 'lock' ||
      action.kind === 'suspend' ||
      (action.kind === 'setRole' && action.role !== Role.ADMIN))
  );
}

/**
 * The service always keeps an admin: an admin cannot demote, suspend or lock themselves when no
 * other active admin account exists. (Acting on another admin leaves the actor as one.)
 */
export function assertKeepsAnAdmin(
  target: User,
  action: AdminAction,
  actorId: string,
  otherActiveAdmins: number,
): void {
  if (target.id === actorId && disablesAdmin(target, action) && otherActiveAdmins === 0)
    throw forbidden('The last admin cannot demote, suspend or lock themselves');
}

/** Applies the action to the account; returns whether its sessions must end (lock, suspend). */
export function applyAdminAction(user: User, action: AdminAction): boolean {
  switch (action.kind) {
    case 'lock':
      user.lock(action.reason);
      return true;
    case 'suspend':
      user.suspend(action.reason);
      return true;
    case 'unlock':
      user.unlock();
      return false;
    case 'reactivate':
      user.reactivate();
      return false;
    case 'setRole':
      user.setRole(action.role);
      return false;
  }
}
