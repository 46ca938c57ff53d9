import { Client } from 'pg';

/** Every seeded account has this password; its hash is computed once with the server's pepper and cost. */
export const SEED_PASSWORD = 'bench seeded passphrase 1';

export const seedUsername = (i: number) => `seed_${i}`;
export const seedEmail = (i: number) => `seed_${i}@bench.example`;

/** Rows per INSERT: small enough to report progress, large enough that statement overhead vanishes. */
const BATCH = 100_000;

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function postgresVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (c) => (await c.query<{ version: string }>('select version()')).rows[0].version,
  );
}

export async function countUsers(url: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query('select count(*) from users')).rows[0].count));
}

/**
 * Inserts seed users `from..to` straight into the table: going through the API would cost one
 * bcrypt hash each (a million users ≈ days at cost 12), and every row sharing one hash changes
 * nothing about lookups. Rows match what the User entity writes for a fresh account.
 */
export async function seedUsers(
  url: string,
  range: { from: number; to: number },
  passwordHash: string,
  progress: (done: number) => void = () => {},
): Promise<void> {
  await withClient(url, async (c) => {
    for (let start = range.from; start <= range.to; start += BATCH) {
      const end = Math.min(range.to, start + BATCH - 1);
      await c.query(
        `insert into users (id, username, username_skeleton, email, password_hash, role, status, mfa_enabled,
                            failed_login_attempts, password_changed_at, created_at, updated_at)
         -- The confusable skeleton of seed_<n>: digits 0 and 1 read as the letters o and l.
         select gen_random_uuid(), 'seed_' || i, translate('seed_' || i, '01', 'ol'), 'seed_' || i || '@bench.example', $3,
                'USER', 'ACTIVE', false, 0, now(), now(), now()
           from generate_series($1::int, $2::int) as i`,
        [start, end, passwordHash],
      );
      progress(end - range.from + 1);
    }
    // Fresh statistics and visibility map, as a long-lived table would have: without them the
    // planner guesses from an empty table and index-only scans visit the heap.
    await c.query('vacuum analyze users');
    // A million rows of WAL request a checkpoint, which PostgreSQL spreads over minutes of
    // background writes: finish it now rather than during the next measurement.
    await c.query('checkpoint').catch(() => {}); // needs pg_checkpoint on an external server
  });
}

/** Leaves only the seeded accounts (registrations from earlier scenarios go, with their sessions). */
export async function keepOnlySeedUsers(url: string): Promise<void> {
  await withClient(url, (c) => c.query(`delete from users where username not like 'seed\\_%'`));
}

/** Drops a database created for this run, closing whatever connections are still open to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) =>
    c.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`),
  );
}
