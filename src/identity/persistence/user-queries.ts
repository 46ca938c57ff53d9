import { sql } from '@mikro-orm/core';
import { type EntityManager, ReferenceKind } from '@mikro-orm/postgresql';
import { likePrefix, type Page, type PageRequest, toPage } from '../../kernel/pagination.js';
import type { Role, UserStatus } from '../domain/enums.js';
import { User } from '../domain/user.entity.js';

export interface UserFilter {
  status?: UserStatus | null;
  role?: Role | null;
  /** A prefix of the email or the username, ignoring case. */
  search?: string | null;
}

let eagerColumns: string[] | undefined;

/**
 * `alias.column, ...` for every user column but the lazy ones (password hash, TOTP secrets), for
 * hand-written statements on hot paths: what a principal, a payload or the unit of work needs,
 * without reading, or decrypting, secret material on every request.
 */
export function eagerUserColumns(em: EntityManager, alias: string): string {
  eagerColumns ??= em
    .getMetadata()
    .get(User)
    .props.filter((p) => p.kind === ReferenceKind.SCALAR && !p.lazy && p.persist !== false)
    .flatMap((p) => p.fieldNames);
  return eagerColumns.map((c) => `${alias}.${c}`).join(', ');
}

/** One page of users for admins, newest first, with the total count. */
export async function listUsers(
  em: EntityManager,
  filter: UserFilter,
  page: PageRequest,
): Promise<Page<User>> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.role) where.role = filter.role;
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const pattern = likePrefix(search);
    where.$or = [{ email: { $like: pattern } }, { [sql.lower('username')]: { $like: pattern } }];
  }
  const [items, total] = await em.findAndCount(User, where, {
    orderBy: { createdAt: 'desc', id: 'asc' },
    limit: page.pageSize,
    offset: page.offset,
  });
  return toPage(items, total, page);
}
