import type { Page, PageRequest } from '../../../kernel/pagination.js';
import type { AuditEntry } from '../../domain/audit-entry.entity.js';
import { type AuditFilter, listAuditEntries } from '../../persistence/audit-queries.js';
import { type ChainVerification, verifyChain } from '../../persistence/verify-chain.js';
import { requireAdmin } from '../authorization.js';
import type { RequestContext } from '../request-context.js';

/** The audit log, newest first, filtered and paginated. Admins only. */
export async function listAuditLog(
  ctx: RequestContext,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<AuditEntry>> {
  requireAdmin(await ctx.principal());
  return listAuditEntries(ctx.em, filter, page);
}

/** Recomputes the whole hash chain. Admins only. */
export async function verifyAuditLog(ctx: RequestContext): Promise<ChainVerification> {
  requireAdmin(await ctx.principal());
  return verifyChain(ctx.em);
}
