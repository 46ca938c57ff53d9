import type { Client } from 'pg';
import type { TestApp } from './test-app';

/**
 * How many statements the connections of an app's ORM pool hold prepared whose text contains
 * every one of `fragments`. Every connection of the pool is taken at once, so that each one asked
 * is a different one.
 */
export async function preparedOnPool(app: TestApp, ...fragments: string[]): Promise<number> {
  const knex = app.orm.em.getConnection().getKnex().client as unknown as {
    pool: { max: number };
    acquireConnection(): Promise<Client>;
    releaseConnection(c: Client): Promise<void>;
  };
  const connections = await Promise.all(
    Array.from({ length: knex.pool.max }, () => knex.acquireConnection()),
  );
  try {
    const counts = await Promise.all(
      connections.map((c) =>
        c.query<{ n: number }>(
          `select count(*)::int as n from pg_prepared_statements
            where ${fragments.map((_, i) => `strpos(statement, $${i + 1}) > 0`).join(' and ') || 'true'}`,
          fragments,
        ),
      ),
    );
    return counts.reduce((sum, { rows }) => sum + rows[0].n, 0);
  } finally {
    await Promise.all(connections.map((c) => knex.releaseConnection(c)));
  }
}
