import type { User } from '../domain/user.entity.js';

/**
 * The account as it is shown to its owner (`me`): a frozen copy of the fields the User type reads,
 * not an entity. An instance's cache of live sessions keeps one beside each session's account row,
 * made by the first request that needs it, so that later `me` requests neither fork a unit of work
 * nor map the row (MikroORM's mapping was the largest cost of a cached `me`). It goes with the
 * cache entry: a change to the account or the session drops both.
 */
export type AccountView = Readonly<
  Pick<
    User,
    | 'id'
    | 'username'
    | 'email'
    | 'emailVerified'
    | 'pendingEmail'
    | 'phone'
    | 'role'
    | 'status'
    | 'lockedUntil'
    | 'walletAddress'
    | 'walletBlockchain'
    | 'mfaEnabled'
    | 'mfaMethods'
    | 'lastLoginAt'
    | 'createdAt'
    | 'updatedAt'
  >
>;

export function accountViewOf(user: User): AccountView {
  return Object.freeze({
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerified,
    pendingEmail: user.pendingEmail,
    phone: user.phone,
    role: user.role,
    status: user.status,
    lockedUntil: user.lockedUntil,
    walletAddress: user.walletAddress,
    walletBlockchain: user.walletBlockchain,
    mfaEnabled: user.mfaEnabled,
    mfaMethods: Object.freeze([...user.mfaMethods]) as AccountView['mfaMethods'],
    lastLoginAt: user.lastLoginAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  });
}
