import { sql } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../domain/user.entity.js';
import { usernameSkeleton } from '../domain/username-skeleton.js';

/**
 * What a sign-in identifier names, case-insensitively: the email when it has an "@", else the
 * username; undefined for an identifier no account can have.
 */
function identifierOf(identifier: string): { by: 'email' | 'username'; value: string } | undefined {
  const value = identifier.trim().toLowerCase();
  if (!value || value.length > 254) return undefined;
  return { by: value.includes('@') ? 'email' : 'username', value };
}

/**
 * identifierOf as a condition on `users` aliased `alias`, with its one parameter. Emails are stored
 * lowercased; usernames keep their case and are unique ignoring it.
 */
export function identifierCondition(
  identifier: string,
  alias: string,
): { sql: string; value: string } | undefined {
  const match = identifierOf(identifier);
  if (!match) return undefined;
  const column = match.by === 'email' ? `${alias}.email` : `lower(${alias}.username)`;
  return { sql: `${column} = ?`, value: match.value };
}

/** Finds a user by email (when the identifier has an "@") or by username, case-insensitively. */
export async function findUserByIdentifier(
  em: EntityManager,
  identifier: string,
  opts: { withPasswordHash?: boolean } = {},
): Promise<User | null> {
  const match = identifierOf(identifier);
  if (!match) return null;
  const populate = opts.withPasswordHash ? (['passwordHash'] as const) : [];
  const where = match.by === 'email' ? { email: match.value } : { [sql.lower('username')]: match.value };
  return em.findOne(User, where, { populate });
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
