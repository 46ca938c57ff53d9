import { UserStatus } from './enums.js';
import type { User } from './user.entity.js';

/** The end of the account's temporary lockout after failed sign-ins, while it is in force. */
export function lockoutInForce(user: Pick<User, 'lockedUntil'>, now: Date): Date | undefined {
  return user.lockedUntil && user.lockedUntil > now ? user.lockedUntil : undefined;
}

/**
 * The status the account shows: LOCKED also while a temporary lockout is in force, although the
 * stored status (which only admins change) stays ACTIVE and returns by itself when it ends.
 */
export function shownStatus(user: Pick<User, 'status' | 'lockedUntil'>, now: Date): UserStatus {
  return user.status === UserStatus.ACTIVE && lockoutInForce(user, now) ? UserStatus.LOCKED : user.status;
}
