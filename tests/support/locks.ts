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
 * Until at least `count` statements whose text starts with `queryPrefix` wait on a lock that
 * `client` holds, directly or behind another waiter. Only those count: the service's background
 * work (the job queue's maintenance, the audit chainer) also waits on locks at times, and other
 * databases on the shared test server (other jest workers) have their own.
 */
export async function waitForLockWaits(client: Client, queryPrefix: string, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // The holder is inside a transaction, which would otherwise keep seeing its first snapshot.
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      `with recursive behind(pid) as (
         select pid from pg_stat_activity
          where datname = current_database() and pg_backend_pid() = any(pg_blocking_pids(pid))
         union
         select a.pid from pg_stat_activity a join behind b on b.pid = any(pg_blocking_pids(a.pid))
          where a.datname = current_database()
       )
       select count(*)::int as n from pg_stat_activity
        where pid in (select pid from behind) and wait_event_type = 'Lock' and query ilike $1`,
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
