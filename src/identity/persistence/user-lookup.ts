import { sql } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../domain/user.entity.js';

/** Finds a user by email (when the identifier has an "@") or by username, case-insensitively. */
export async function findUserByIdentifier(
  em: EntityManager,
  identifier: string,
  opts: { withPasswordHash?: boolean } = {},
): Promise<User | null> {
  const value = identifier.trim().toLowerCase();
  if (!value || value.length > 254) return null;
  const populate = opts.withPasswordHash ? (['passwordHash'] as const) : [];
  if (value.includes('@')) return em.findOne(User, { email: value }, { populate });
  return em.findOne(User, { [sql.lower('username')]: value }, { populate });
}

/** True when another account already uses this username, ignoring case. */
export async function usernameTaken(
  em: EntityManager,
  username: string,
  exceptUserId?: string,
): Promise<boolean> {
  const where = {
    [sql.lower('username')]: username.toLowerCase(),
    ...(exceptUserId ? { id: { $ne: exceptUserId } } : {}),
  };
  return (await em.count(User, where)) > 0;
}
