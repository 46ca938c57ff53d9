import { sql } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../domain/user.entity.js';
import { usernameSkeleton } from '../domain/username-skeleton.js';

/**
 * What a sign-in identifier matches, case-insensitively: the email when it has an "@", else the
 * username. As a condition on `users` aliased `alias`, with its one parameter; undefined for an
 * identifier no account can have.
 */
export function identifierCondition(
  identifier: string,
  alias: string,
): { sql: string; value: string } | undefined {
  const value = identifier.trim().toLowerCase();
  if (!value || value.length > 254) return undefined;
  // Emails are stored lowercased; usernames keep their case and are unique ignoring it.
  return value.includes('@')
    ? { sql: `${alias}.email = ?`, value }
    : { sql: `lower(${alias}.username) = ?`, value };
}

/** Finds a user by email (when the identifier has an "@") or by username, case-insensitively. */
export async function findUserByIdentifier(
  em: EntityManager,
  identifier: string,
  opts: { withPasswordHash?: boolean } = {},
): Promise<User | null> {
  const value = identifier.trim().toLowerCase();
  if (!identifierCondition(value, 'u')) return null;
  const populate = opts.withPasswordHash ? (['passwordHash'] as const) : [];
  if (value.includes('@')) return em.findOne(User, { email: value }, { populate });
  return em.findOne(User, { [sql.lower('username')]: value }, { populate });
}

/**
 * True when another account already uses this username ignoring case, or one that looks like it
 * (the same confusable skeleton: `aIice` with a capital i and `alice`). Both are unique indexes
 * too, so a concurrent registration that passes this check fails at commit.
 */
export async function usernameTaken(
  em: EntityManager,
  username: string,
  exceptUserId?: string,
): Promise<boolean> {
  const where = {
    $or: [
      { [sql.lower('username')]: username.toLowerCase() },
      { usernameSkeleton: usernameSkeleton(username) },
    ],
    ...(exceptUserId ? { id: { $ne: exceptUserId } } : {}),
  };
  return (await em.count(User, where)) > 0;
}
