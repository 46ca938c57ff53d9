import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunStatement } from '../../adapters/database/prepared-statements.js';

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

/**
 * As executeAndCommitNow, sent by `run` (a prepared statement where the connection allows) when
 * `em` is outside any transaction; inside one, `run` would use the transaction's connection, so
 * the statement goes as executeAndCommitNow sends it.
 */
export async function runAndCommitNow<T extends object = Record<string, unknown>>(
  em: EntityManager,
  run: RunStatement,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  if (em.isInTransaction()) return executeAndCommitNow<T>(em, sql, params);
  return (await run(em, sql, params)) as T[];
}
