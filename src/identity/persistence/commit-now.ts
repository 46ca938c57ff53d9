import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one statement on a pool connection of its own, outside the unit of work: it commits at
 * once, even while the caller has a transaction open. Only for attempt counters, which must count
 * whatever happens to the request afterwards; never for a use case's own changes.
 */
export function executeAndCommitNow<T extends object = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  return em.getConnection().execute(sql, params);
}
