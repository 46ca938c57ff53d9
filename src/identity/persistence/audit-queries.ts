import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../kernel/errors.js';
import { isUuid } from '../../kernel/ids.js';
import { type Page, type PageRequest, toPage } from '../../kernel/pagination.js';
import { AuditEntry } from '../domain/audit-entry.entity.js';

export interface AuditFilter {
  userId?: string | null;
  type?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** One page of the audit log, newest first, with the total count. */
export async function listAuditEntries(
  em: EntityManager,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<AuditEntry>> {
  const where: Record<string, unknown> = {};
  if (filter.userId) {
    if (!isUuid(filter.userId)) throw badInput('userId', 'userId must be a user id');
    where.$or = [{ actorId: filter.userId }, { subjectId: filter.userId }];
  }
  if (filter.type) where.type = filter.type;
  if (filter.from || filter.to) {
    where.occurredAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lt: filter.to }) };
  }
  const [items, total] = await em.findAndCount(AuditEntry, where, {
    orderBy: { sequence: 'desc' },
    limit: page.pageSize,
    offset: page.offset,
  });
  return toPage(items, total, page);
}
