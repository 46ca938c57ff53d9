import { Client } from 'pg';

/** A connection of its own (outside every app pool) holding rows locked until `release`. */
export async function holdRowLock(databaseUrl: string, sql: string, params: unknown[]) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(sql, params);
  } catch (err) {
    await client.end();
    throw err;
  }
  return {
    client,
    async release() {
      try {
        await client.query('commit');
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Until at least `count` statements of this database whose text starts with `queryPrefix`
 * wait on a lock. Other databases on the shared test server (other jest workers) do not count.
 */
export async function waitForLockWaits(client: Client, queryPrefix: string, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // The holder is inside a transaction, which would otherwise keep seeing its first snapshot.
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike $1`,
      [`${queryPrefix}%`],
    );
    if (rows[0].n >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const { rows } = await client.query(
    'select wait_event_type, state, left(query, 60) as query from pg_stat_activity where datname = current_database()',
  );
  throw new Error(
    `fewer than ${count} statements starting "${queryPrefix}" ever waited on a lock; sessions: ${JSON.stringify(rows)}`,
  );
}
