import { Client } from 'pg';
import { processTicks, procStats, threadTicks } from './machine.js';

/**
 * What one request costs PostgreSQL: statements and execution time from pg_stat_statements (when
 * the server has it loaded: the embedded one does), and the CPU of every `postgres` process
 * (backends, WAL writer, checkpointer: parsing, planning and commits included) from /proc.
 */
export interface DbCost {
  /** Statements the requests sent, per successful reply (the chainer's linking and polling apart). */
  statementsPerRequest?: number;
  /** Their execution time inside PostgreSQL, per successful reply, ms. */
  execMsPerRequest?: number;
  /** The chainer linking the requests' audit entries (moving them into the chain), per reply, ms. */
  linkingExecMsPerRequest?: number;
  /** CPU time of all PostgreSQL processes, per successful reply, ms (less what they spend idle). */
  cpuMsPerRequest?: number;
  /** CPU time of the service's own process, per successful reply, ms. */
  serviceCpuMsPerRequest?: number;
  /** Of it, the time of libuv's thread pool (password hashing, mostly), ms. */
  threadPoolCpuMsPerRequest?: number;
}

export interface DbCostSample {
  ticks?: number;
  serviceTicks?: number;
  poolTicks?: number;
  at: number;
  statements: boolean;
}

/**
 * PostgreSQL's CPU while the server idles (the job queue's polling, the chainer's ticks), in
 * ticks per second: subtracted from each load's, so a slow operation is not charged for it.
 */
export async function idleDbTicksPerSecond(seconds: number): Promise<number> {
  const start = postgresTicks();
  const at = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const end = postgresTicks();
  if (start === undefined || end === undefined) return 0;
  return (end - start) / ((performance.now() - at) / 1000);
}

/** What libuv names the threads of its pool, where bcrypt hashes. */
const THREAD_POOL = 'libuv-worker';

/** Background work that runs whatever the load: the job queue's polling and the chainer's idle ticks. */
const BACKGROUND =
  /pgboss\.|pg_try_advisory_xact_lock|from audit_head where id = 1|set chainer = |set_config\('statement_timeout'/;
/** The chainer's work per linked entry. */
const LINKING = /delete from audit_pending|insert into audit_log|update audit_head set sequence/;

/** Starts a measurement: resets the statement counters, reads the PostgreSQL processes' CPU. */
export async function startDbCost(url: string, servicePid: number): Promise<DbCostSample> {
  const statements = await withClient(url, async (c) => {
    await c.query('select pg_stat_statements_reset()');
    return true;
  }).catch(() => false);
  return {
    ticks: postgresTicks(),
    serviceTicks: processTicks(servicePid),
    poolTicks: threadTicks(servicePid, THREAD_POOL),
    at: performance.now(),
    statements,
  };
}

export async function endDbCost(
  url: string,
  start: DbCostSample,
  replies: number,
  servicePid: number,
  idleTicksPerSecond = 0,
): Promise<DbCost> {
  const ticks = postgresTicks();
  const serviceTicks = processTicks(servicePid);
  const poolTicks = threadTicks(servicePid, THREAD_POOL);
  const cost: DbCost = {};
  if (replies === 0) return cost;
  const idle = (idleTicksPerSecond * (performance.now() - start.at)) / 1000;
  // USER_HZ is 100 on every Linux Node supports: a tick is 10 ms.
  if (start.ticks !== undefined && ticks !== undefined)
    cost.cpuMsPerRequest = (Math.max(0, ticks - start.ticks - idle) * 10) / replies;
  if (start.serviceTicks !== undefined && serviceTicks !== undefined)
    cost.serviceCpuMsPerRequest = ((serviceTicks - start.serviceTicks) * 10) / replies;
  if (start.poolTicks !== undefined && poolTicks !== undefined)
    cost.threadPoolCpuMsPerRequest = ((poolTicks - start.poolTicks) * 10) / replies;
  if (!start.statements) return cost;
  const rows = await withClient(
    url,
    async (c) =>
      (
        await c.query<{ query: string; calls: string; exec: number; plan: number }>(
          `select s.query, s.calls, s.total_exec_time as exec, s.total_plan_time as plan
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
          where d.datname = current_database() and s.query not like '%pg_stat_statements%'`,
        )
      ).rows,
  ).catch(() => []);
  if (process.env.BENCH_STATEMENTS) listStatements(rows, replies);
  let statements = 0;
  let exec = 0;
  let linking = 0;
  for (const row of rows) {
    if (LINKING.test(row.query)) linking += row.exec;
    else if (!BACKGROUND.test(row.query)) {
      statements += Number(row.calls);
      exec += row.exec;
    }
  }
  return {
    ...cost,
    statementsPerRequest: statements / replies,
    execMsPerRequest: exec / replies,
    linkingExecMsPerRequest: linking / replies,
  };
}

/**
 * BENCH_STATEMENTS=1: every statement of the load to stderr, most frequent first, as calls per
 * successful reply (the background ones marked), for finding which statements a change removed.
 */
function listStatements(
  rows: { query: string; calls: string; exec: number; plan: number }[],
  replies: number,
): void {
  const sorted = [...rows].sort((a, b) => Number(b.calls) - Number(a.calls));
  process.stderr.write('[bench]   calls/reply, ms per call executing and planning (when tracked)\n');
  for (const row of sorted) {
    const kind = LINKING.test(row.query) ? 'linking' : BACKGROUND.test(row.query) ? 'background' : '';
    const text = row.query.replace(/\s+/g, ' ').slice(0, 120);
    const perCall = (ms: number) => (ms / Math.max(1, Number(row.calls))).toFixed(3).padStart(6);
    process.stderr.write(
      `[bench]   ${(Number(row.calls) / replies).toFixed(2).padStart(6)} ${perCall(row.exec)} ${perCall(row.plan)} ${kind.padEnd(10)} ${text}\n`,
    );
  }
}

/** Makes pg_stat_statements available in the bench database, when the server preloads it. */
export async function enableStatementStats(url: string): Promise<boolean> {
  return withClient(url, async (c) => {
    await c.query('create extension if not exists pg_stat_statements');
    return true;
  }).catch(() => false);
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** utime + stime + cutime + cstime of every process named `postgres`; undefined off Linux. */
function postgresTicks(): number | undefined {
  try {
    // With cutime and cstime: the postmaster holds the CPU of the backends that already exited.
    return procStats()
      .filter((p) => p.comm === 'postgres')
      .reduce((sum, p) => sum + p.ticks + p.childTicks, 0);
  } catch {
    return undefined;
  }
}
