import type { Page, PageRequest } from '../../../kernel/pagination.js';
import type { AuditEntry } from '../../domain/audit-entry.entity.js';
import type { AuditChainer } from '../../persistence/audit-chainer.js';
import { type AuditFilter, listAuditEntries } from '../../persistence/audit-queries.js';
import { type ChainVerification, verifyChain } from '../../persistence/verify-chain.js';
import { requireAdmin } from '../authorization.js';
import type { RequestContext } from '../request-context.js';

/**
 * The audit log, newest first, filtered and paginated. Admins only. Entries staged before the
 * request are linked first, so an admin sees every fact committed before asking.
 */
export const createListAuditLog =
  (deps: { chainer: AuditChainer }) =>
  async (ctx: RequestContext, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> => {
    requireAdmin(await ctx.principal());
    await deps.chainer.linkPending(ctx.em, { force: true });
    return listAuditEntries(ctx.em, filter, page);
  };

/** Links what is staged, then recomputes the whole hash chain. Admins only. */
export const createVerifyAuditLog =
  (deps: { chainer: AuditChainer }) =>
  async (ctx: RequestContext): Promise<ChainVerification> => {
    requireAdmin(await ctx.principal());
    await deps.chainer.linkPending(ctx.em, { force: true });
    return verifyChain(ctx.em);
  };
