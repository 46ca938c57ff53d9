import { endDbCost, startDbCost } from './db-cost.js';
import { runLoad, type Step } from './load.js';
import { cpuSample, otherCpuShare, waitForIdle } from './machine.js';
import { type BenchResults, type Measured, SCENARIO_NAMES, type ScenarioName } from './report.js';
import {
  type BenchSession,
  healthzStep,
  helloSteps,
  loginSteps,
  meSteps,
  openSessions,
  refreshSteps,
  registerSteps,
  typenameSteps,
} from './scenarios.js';
import { countUsers, keepOnlySeedUsers, seedUsers } from './seed.js';
import { freePort, log, type ServerHandle, startServer, watchMemory } from './server.js';

const CONNECTIONS = {
  ceiling: 50,
  me: 50,
  register: 8,
  login: 8,
  refresh: 8,
  probe: 5,
  sizeMe: 10,
  sizeLogin: 4,
};
/** Sessions opened before the loads; `me` cycles through their tokens, refresh rotates them. */
const FIXTURE_SESSIONS = 8;

export interface Phase {
  server: ServerHandle;
  /** The server's environment, for a second server started beside it. */
  serverEnv: NodeJS.ProcessEnv;
  /** PostgreSQL's CPU while the server idles, ticks/s (see idleDbTicksPerSecond). */
  idleDbTicksPerSecond: number;
  databaseUrl: string;
  seconds: number;
  /** hashes/s of the bcrypt bound, to size the loads that wait on bcrypt */
  bcryptRate: number;
  /** Set by a signal handler: no new load starts once it is true. */
  interrupted: () => boolean;
}

/** Lets the server finish what the previous load left in flight; each load starts on an idle server. */
async function settle(phase: Phase): Promise<void> {
  if (phase.interrupted()) throw new Error('interrupted');
  if (!(await waitForIdle(phase.server.pid))) log('the server did not go idle within 20 s; measuring anyway');
}

/**
 * One load on a settled server, with the server's peak memory and the CPU other processes took,
 * logged as it finishes. `settled` when the caller has already settled it (loads run side by side).
 */
async function measure(
  phase: Phase,
  label: string,
  connections: number,
  steps: Step[],
  seconds = phase.seconds,
  settled = false,
): Promise<Measured> {
  if (!settled) await settle(phase);
  // Loads that run side by side share the database: only a load of its own is costed.
  const db = settled ? undefined : await startDbCost(phase.databaseUrl, phase.server.pid);
  const memory = watchMemory(phase.server.pid);
  const before = cpuSample();
  const result = await runLoad({ url: phase.server.url, connections, seconds, steps });
  const measured: Measured = {
    ...result,
    serverPeakRss: memory.stop(),
    otherCpu: otherCpuShare(before, cpuSample()),
  };
  if (db) {
    const replies = Object.values(result.kinds).reduce((sum, k) => sum + k.ok, 0);
    measured.database = await endDbCost(
      phase.databaseUrl,
      db,
      replies,
      phase.server.pid,
      phase.idleDbTicksPerSecond,
    );
  }
  logLoad(label, measured);
  return measured;
}

/**
 * A bcrypt-bound load must run long enough for every connection to get a few replies:
 * autocannon drops what is in flight at the end, and at cost 12 with 8 connections one round
 * takes about a second on 2 cores (more on a busy machine, or at a higher cost).
 */
const bcryptSeconds = (phase: Phase, connections: number) =>
  Math.max(phase.seconds, Math.ceil((3 * connections) / phase.bcryptRate));

export async function fixtureSessions(
  phase: Phase,
  /** Which seeded users sign in: the nth set of 2 × FIXTURE_SESSIONS, from 0. */
  set = 0,
): Promise<{ me: BenchSession[]; refresh: BenchSession[] }> {
  const first = set * 2 * FIXTURE_SESSIONS + 1;
  const tag = set === 0 ? '' : `-${set}`;
  const me = await openSessions(phase.server.url, range(first, first + FIXTURE_SESSIONS - 1), `me${tag}`);
  const refresh = await openSessions(
    phase.server.url,
    range(first + FIXTURE_SESSIONS, first + 2 * FIXTURE_SESSIONS - 1),
    `refresh${tag}`,
  );
  // JIT and connection pool warm-up, so the first scenario is not measured on a cold process.
  await runLoad({
    url: phase.server.url,
    connections: 10,
    seconds: Math.min(2, phase.seconds),
    steps: [...typenameSteps(), ...meSteps(me)],
  });
  return { me, refresh };
}

export async function scenarios(
  phase: Phase,
  fixtures: { me: BenchSession[]; refresh: BenchSession[] },
  seededUsers: number,
  only: readonly ScenarioName[] = SCENARIO_NAMES,
): Promise<BenchResults['scenarios']> {
  const c = CONNECTIONS;
  const loads: Record<ScenarioName, () => Promise<Measured>> = {
    bare: () => bareCeiling(phase),
    typename: () => measure(phase, 'typename', c.ceiling, typenameSteps()),
    me: () => measure(phase, 'me', c.me, meSteps(fixtures.me)),
    register: () =>
      measure(
        phase,
        'register',
        c.register,
        registerSteps(process.pid.toString(36)),
        bcryptSeconds(phase, c.register),
      ),
    'login-floor': () => loginFloor(phase, seededUsers),
    login: () =>
      measure(phase, 'login', c.login, loginSteps(seededUsers, 'login'), bcryptSeconds(phase, c.login)),
    refresh: () => measure(phase, 'refresh', c.refresh, refreshSteps(fixtures.refresh)),
    'refresh-unaudited': () => unauditedRefresh(phase),
  };
  const results: BenchResults['scenarios'] = {};
  // In the order of SCENARIO_NAMES, one after the other, whatever the order asked for.
  for (const name of SCENARIO_NAMES) if (only.includes(name)) results[name] = await loads[name]();
  return results;
}

/**
 * Refresh on a second server with the audit trail off, on the same database, warmed up like the
 * first (the first idles meanwhile): what the audit entry costs a refresh, within one run.
 */
async function unauditedRefresh(phase: Phase): Promise<Measured> {
  const env = { ...phase.serverEnv, AUDIT_LOG_ENABLED: 'false', PORT: String(await freePort()) };
  const other = await startServer(env);
  try {
    const { refresh } = await fixtureSessions({ ...phase, server: other }, 1);
    const steps = refreshSteps(refresh, 'refresh-unaudited');
    return await measure({ ...phase, server: other }, 'refresh-unaudited', CONNECTIONS.refresh, steps);
  } finally {
    await other.stop();
  }
}

/**
 * Apollo Server and Express alone (bench/bare-apollo.ts) in a process of their own, loaded like
 * the service's ceiling: what the service's own per-request work is measured against.
 */
async function bareCeiling(phase: Phase): Promise<Measured> {
  const env = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(await freePort()) };
  const bare = await startServer(env, 'dist/bench/bare-apollo.js');
  try {
    return await measure({ ...phase, server: bare }, 'bare', CONNECTIONS.ceiling, helloSteps());
  } finally {
    await bare.stop();
  }
}

/**
 * The sign-in floor (bench/login-floor.ts) in a process of its own on the same database, pepper,
 * cost and hashing setup, loaded exactly like `login`: how near the bcrypt bound a sign-in gets
 * when it does nothing but find the account, compare, write a session and sign a token.
 */
async function loginFloor(phase: Phase, seededUsers: number): Promise<Measured> {
  // The service finishes what earlier loads left (mail, audit linking) before the floor is costed.
  await settle(phase);
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(await freePort()),
    DATABASE_URL: phase.databaseUrl,
    PASSWORD_PEPPER: phase.serverEnv.PASSWORD_PEPPER,
    BCRYPT_COST: phase.serverEnv.BCRYPT_COST,
    PASSWORD_HASH_CONCURRENCY: phase.serverEnv.PASSWORD_HASH_CONCURRENCY,
    // Unset unless the service's is: the floor then sizes its pool as the service does.
    UV_THREADPOOL_SIZE: phase.serverEnv.UV_THREADPOOL_SIZE,
  };
  const floor = await startServer(env, 'dist/bench/login-floor.js');
  try {
    const steps = loginSteps(seededUsers, 'floor').map((step) => ({ ...step, kind: 'login-floor' }));
    return await measure(
      { ...phase, server: floor },
      'login-floor',
      CONNECTIONS.login,
      steps,
      bcryptSeconds(phase, CONNECTIONS.login),
    );
  } finally {
    await floor.stop();
  }
}

/**
 * The probe's latencies alone, then beside a login storm that keeps bcrypt busy: whether
 * sign-ins starve everyone else (event loop, thread pool, database pool).
 */
export async function storm(
  phase: Phase,
  meSessions: BenchSession[],
  seededUsers: number,
): Promise<BenchResults['storm']> {
  const probeSteps = meSteps(meSessions).flatMap((me): Step[] => [me, healthzStep]);
  const seconds = bcryptSeconds(phase, CONNECTIONS.login);
  const idleProbe = await measure(phase, 'probe (idle)', CONNECTIONS.probe, probeSteps, seconds);
  await settle(phase);
  const [login, probe] = await Promise.all([
    measure(phase, 'login storm', CONNECTIONS.login, loginSteps(seededUsers, 'storm'), seconds, true),
    runLoad({ url: phase.server.url, connections: CONNECTIONS.probe, seconds, steps: probeSteps }),
  ]);
  logLoad('probe (storm)', probe);
  return { idleProbe, probe, login };
}

/** `me` and login with the users table at each size; the first size is already seeded. */
export async function sizes(
  phase: Phase,
  counts: number[],
  firstSeedSeconds: number,
  passwordHash: string,
): Promise<BenchResults['sizes']> {
  const results: BenchResults['sizes'] = [];
  await keepOnlySeedUsers(phase.databaseUrl);
  for (const [i, size] of counts.entries()) {
    let seedSeconds = firstSeedSeconds;
    if (i > 0) {
      log(`seeding up to ${size.toLocaleString('en-US')} users`);
      const from = counts[i - 1] + 1;
      seedSeconds = await timed(() =>
        seedUsers(phase.databaseUrl, { from, to: size }, passwordHash, (n) =>
          log(`  ${(from + n - 1).toLocaleString('en-US')}`),
        ),
      );
    }
    const users = await countUsers(phase.databaseUrl);
    const sessions = await openSessions(phase.server.url, spread(size, FIXTURE_SESSIONS), `size${size}`);
    results.push({
      users,
      seedSeconds,
      me: await measure(phase, `me @ ${users} users`, CONNECTIONS.sizeMe, meSteps(sessions)),
      login: await measure(
        phase,
        `login @ ${users} users`,
        CONNECTIONS.sizeLogin,
        loginSteps(size, `size${size}`),
        bcryptSeconds(phase, CONNECTIONS.sizeLogin),
      ),
    });
  }
  return results;
}

/** Loads in which some kind of request never succeeded: the benchmark, not the service, is broken. */
export function brokenLoads(r: Pick<BenchResults, 'scenarios' | 'storm' | 'sizes'>): string[] {
  const loads: [string, Measured][] = [
    ...Object.entries(r.scenarios),
    ...Object.entries(r.storm ?? {}).map(([name, m]): [string, Measured] => [`storm ${name}`, m]),
    ...(r.sizes ?? []).flatMap((s): [string, Measured][] => [
      [`${s.users} users me`, s.me],
      [`${s.users} users login`, s.login],
    ]),
  ];
  return loads.flatMap(([name, m]) =>
    Object.entries(m.kinds)
      .filter(([, k]) => k.ok === 0)
      .map(([kind]) => `${name}/${kind}`),
  );
}

function logLoad(label: string, m: Measured): void {
  const parts = Object.entries(m.kinds).map(
    ([kind, k]) =>
      `${kind} ${k.rps.toFixed(1)}/s p50 ${k.p50Ms?.toFixed(2) ?? '–'} ms p99 ${k.p99Ms?.toFixed(2) ?? '–'} ms` +
      ` errors ${k.errors}${k.firstError ? ` (first: ${k.firstError.slice(0, 160)})` : ''}`,
  );
  const conn = m.connectionErrors ? `, ${m.connectionErrors} connection errors` : '';
  const other = m.otherCpu === undefined ? '' : `, other processes ${(m.otherCpu * 100).toFixed(0)}% CPU`;
  log(`${label} [${m.connections} conns]: ${parts.join('; ')}${conn}${other}`);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** `count` users spread over 1..size, so fixture sessions do not all sit at the start of the table. */
const spread = (size: number, count: number) =>
  range(0, count - 1).map((i) => 1 + Math.floor((i * size) / count));

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}
