import type { Page, PageRequest } from '../../../kernel/pagination.js';
import type { User } from '../../domain/user.entity.js';
import { listUsers as queryUsers, type UserFilter } from '../../persistence/user-queries.js';
import { requireAdmin } from '../authorization.js';
import type { RequestContext } from '../request-context.js';
import { findUserForAdmin } from './administer-user.js';

/** Users, newest first, filtered and paginated. Admins only. */
export async function listUsers(
  ctx: RequestContext,
  filter: UserFilter,
  page: PageRequest,
): Promise<Page<User>> {
  requireAdmin(await ctx.principal());
  return queryUsers(ctx.em, filter, page);
}

/** One user by id. Admins only; a malformed or unknown id is NOT_FOUND. */
export async function getUser(ctx: RequestContext, id: string): Promise<User> {
  requireAdmin(await ctx.principal());
  return findUserForAdmin(ctx.em, id);
}
