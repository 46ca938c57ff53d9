/**
 * `npm run bench [-- --quick] [-- --cost N] [-- --only refresh,me,audit]`: builds the service,
 * starts it in production mode as its own process on a fresh PostgreSQL (embedded, or a new
 * database on BENCH_DATABASE_URL's server), loads it over 127.0.0.1 with autocannon and prints a
 * markdown report; the full numbers go to bench/results/<timestamp>.json. `--only` runs just the
 * named scenarios (no storm, no table sizes; the bcrypt bound only when login, login-floor or register is
 * among them; the audit trail ceiling only when `audit` is named), for quick A/B runs of one
 * path. Never asserts on speed; exits 1 only when a load got no successful reply at all, which
 * means the benchmark itself is broken.
 */
import { join } from 'node:path';
import { createPasswordHasher } from '../src/adapters/crypto/password-hasher.js';
import { DEFAULT_PASSWORD_HASH_CONCURRENCY } from '../src/config/config.js';
import type { AuditCeiling } from './audit-ceiling.js';
import type { BcryptBound } from './bcrypt-bound.js';
import { Cleanup } from './cleanup.js';
import { idleDbTicksPerSecond } from './db-cost.js';
import { stopAllLoads } from './load.js';
import { cpuSample, gitCommit, machineFacts, otherCpuShare } from './machine.js';
import { brokenLoads, fixtureSessions, type Phase, scenarios, sizes, storm, timed } from './phases.js';
import { type BenchResults, markdown, SCENARIO_NAMES, type ScenarioName, writeResults } from './report.js';
import { postgresVersion, SEED_PASSWORD, seedUsers } from './seed.js';
import { freePort, log, openBenchDatabase, ROOT, run, serviceEnv, startServer } from './server.js';

interface Args {
  quick: boolean;
  cost: number;
  /** Scenarios to run; undefined runs the whole benchmark. */
  only?: ScenarioName[];
  /** `--only` named `audit`: the audit trail ceiling too. */
  onlyAudit?: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, cost: 12 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--quick') args.quick = true;
    else if (flag === '--cost') args.cost = Number(inline ?? argv[++i]);
    else if (flag === '--only') {
      const names = (inline ?? argv[++i] ?? '').split(',');
      args.onlyAudit = names.includes('audit');
      args.only = parseOnly(names.filter((n) => n !== 'audit').join(','), args.onlyAudit);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  // The production profile refuses costs below 10.
  if (!Number.isInteger(args.cost) || args.cost < 10 || args.cost > 20)
    throw new Error('--cost must be an integer from 10 to 20');
  return args;
}

function parseOnly(list: string | undefined, audit: boolean): ScenarioName[] {
  const names = (list ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if ((names.length === 0 && !audit) || unknown.length > 0)
    throw new Error(`--only takes a comma-separated list of ${[...SCENARIO_NAMES, 'audit'].join(', ')}`);
  return names as ScenarioName[];
}

const cleanup = new Cleanup();
let interrupted = false;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping`);
    stopAllLoads();
    void cleanup.run().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

/** The audit chain's ceiling, in a process of its own while the server idles. */
async function auditCeiling(databaseUrl: string, seconds: number): Promise<AuditCeiling[]> {
  log(`audit chain ceiling (${seconds} s per writer count, own process)`);
  const start = cpuSample();
  const results = JSON.parse(
    await run(process.execPath, ['dist/bench/audit-ceiling.js', databaseUrl, String(seconds)], {
      capture: true,
    }),
  ) as AuditCeiling[];
  const otherCpu = otherCpuShare(start, cpuSample());
  return results.map((r) => ({ ...r, otherCpu }));
}

async function main(args: Args): Promise<number> {
  const startedAt = performance.now();
  const firstSample = cpuSample();
  const date = new Date().toISOString();
  const seconds = args.quick ? 2 : 10;
  const userCounts = args.quick ? [1_000, 20_000] : [1_000, 1_000_000];

  log('building (npm run build)');
  await run('npm', ['run', '--silent', 'build']);

  const db = await openBenchDatabase();
  cleanup.add({ name: 'database', stop: db.stop, stopSync: db.stopSync });
  const env = serviceEnv({ databaseUrl: db.url, port: await freePort(), cost: args.cost });
  await run(process.execPath, ['dist/scripts/migration-up.js'], { env });

  log(`seeding ${userCounts[0].toLocaleString('en-US')} users`);
  const pepper = Buffer.from(env.PASSWORD_PEPPER as string, 'base64');
  const seedHash = await createPasswordHasher({
    pepper,
    cost: args.cost,
    maxConcurrent: DEFAULT_PASSWORD_HASH_CONCURRENCY,
  }).hash(SEED_PASSWORD);
  const firstSeedSeconds = await timed(() => seedUsers(db.url, { from: 1, to: userCounts[0] }, seedHash));

  // Only the bcrypt-bound scenarios need the bound (to size their loads and to compare against).
  const needsBound =
    !args.only || args.only.some((n) => n === 'login' || n === 'register' || n === 'login-floor');
  let bcrypt: BcryptBound | undefined;
  if (needsBound) {
    log(`bcrypt bound at cost ${args.cost} (${seconds} s, own process, before the server starts)`);
    const boundArgs = ['dist/bench/bcrypt-bound.js', String(args.cost), String(seconds)];
    const boundStart = cpuSample();
    bcrypt = JSON.parse(await run(process.execPath, boundArgs, { capture: true })) as BcryptBound;
    bcrypt.otherCpu = otherCpuShare(boundStart, cpuSample());
  }

  const server = await startServer(env);
  cleanup.add({ name: 'server', stop: server.stop, stopSync: server.stopSync });
  log(`server ready at ${server.url} (pid ${server.pid})`);

  const phase: Phase = {
    server,
    serverEnv: env,
    idleDbTicksPerSecond: await idleDbTicksPerSecond(args.quick ? 1 : 3),
    databaseUrl: db.url,
    seconds,
    bcryptRate: bcrypt?.hashesPerSecond ?? 0,
    interrupted: () => interrupted,
  };
  const fixtures = await fixtureSessions(phase);
  const measured = {
    scenarios: await scenarios(phase, fixtures, userCounts[0], args.only),
    storm: args.only ? undefined : await storm(phase, fixtures.me, userCounts[0]),
    sizes: args.only ? undefined : await sizes(phase, userCounts, firstSeedSeconds, seedHash),
    audit: !args.only || args.onlyAudit ? await auditCeiling(db.url, seconds) : undefined,
  };

  const results: BenchResults = {
    machine: {
      date,
      commit: gitCommit(ROOT),
      mode: args.only
        ? `only ${[...args.only, ...(args.onlyAudit ? ['audit'] : [])].join(',')}`
        : args.quick
          ? 'quick'
          : 'full',
      ...machineFacts(),
      postgres: await postgresVersion(db.url),
      database: db.kind,
      bcryptCost: args.cost,
      secondsPerScenario: seconds,
      otherCpu: undefined,
    },
    bcrypt,
    ...measured,
    broken: [...brokenLoads(measured), ...(measured.audit?.some((a) => a.appends === 0) ? ['audit'] : [])],
    runSeconds: 0,
  };
  await cleanup.run();
  results.runSeconds = (performance.now() - startedAt) / 1000;
  // Sampled after the cleanup: the server and PostgreSQL have been reaped and count as ours.
  results.machine.otherCpu = otherCpuShare(firstSample, cpuSample());
  const file = writeResults(join(ROOT, 'bench', 'results'), results);
  await new Promise<void>((resolve) =>
    process.stdout.write(markdown(results, file.slice(ROOT.length + 1)), () => resolve()),
  );
  return results.broken.length > 0 ? 1 : 0;
}

let args: Args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(
    `${(err as Error).message}\nusage: npm run bench [-- --quick] [-- --cost 10..20] [-- --only ${SCENARIO_NAMES.join(',')}]`,
  );
  process.exit(2);
}

main(args).then(
  async (code) => {
    await cleanup.run();
    process.exit(code);
  },
  async (err: unknown) => {
    if (interrupted) return; // the signal handler cleans up and exits
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup.run();
    process.exit(1);
  },
);
