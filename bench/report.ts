import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCeiling } from './audit-ceiling.js';
import type { BcryptBound } from './bcrypt-bound.js';
import type { DbCost } from './db-cost.js';
import type { KindStats, LoadResult } from './load.js';

export interface Measured extends LoadResult {
  /** Peak resident memory of the server process during the load, in bytes. */
  serverPeakRss?: number;
  /** Share of the machine (0–1) that processes outside this run used meanwhile: contention. */
  otherCpu?: number;
  /** What each successful reply cost PostgreSQL (loads measured alone). */
  database?: DbCost;
}

export const SCENARIO_NAMES = [
  'bare',
  'typename',
  'me',
  'register',
  'login-floor',
  'login',
  'refresh',
  'refresh-unaudited',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchResults {
  machine: {
    date: string;
    commit: string;
    /** quick, full, or `only <scenarios>` (npm run bench -- --only). */
    mode: string;
    cores: number;
    cpu: string;
    node: string;
    postgres: string;
    database: 'embedded' | 'external';
    bcryptCost: number;
    threadPoolSize: number;
    secondsPerScenario: number;
    /** Share of the machine that processes outside this run used over the whole run. */
    otherCpu: number | undefined;
  };
  /** Absent when --only left out every bcrypt-bound scenario. */
  bcrypt?: BcryptBound;
  /** Every scenario, or those named by --only. */
  scenarios: Partial<Record<ScenarioName, Measured>>;
  /** Absent in an --only run. */
  storm?: { idleProbe: Measured; probe: Measured; login: Measured };
  /** Absent in an --only run. */
  sizes?: { users: number; seedSeconds: number; me: Measured; login: Measured }[];
  /** The audit chain's ceiling, single-entry appends straight to PostgreSQL. Absent in an --only run. */
  audit?: AuditCeiling[];
  /** Scenarios (or kinds) that produced no successful reply: the benchmark itself is broken. */
  broken: string[];
  runSeconds: number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null | undefined) => (n == null ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const rate = (n: number) => (n < 100 ? n.toFixed(1) : int(n));
const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(0));
const pct = (share: number | undefined) => (share === undefined ? '–' : `${(share * 100).toFixed(0)}%`);

const kind = (m: Measured, name: string): KindStats => m.kinds[name];
const errors = (m: Measured, name: string) => kind(m, name).errors + m.connectionErrors;
/** Beyond this, other processes took enough of the machine to move the numbers noticeably. */
const CONTENTION_WARNING = 0.1;

const SCENARIO_LABELS: Record<ScenarioName, string> = {
  bare: 'bare Apollo + Express `{ hello }` (no service code)',
  typename: '`{ __typename }`, no auth (ceiling of the service)',
  me: '`me` (Bearer token)',
  register: '`register` (new user each, half with random passwords)',
  'login-floor': 'sign-in floor: node:http, 2 plain statements, the same hasher, a signed token',
  login: '`login` (seeded users, new device each)',
  refresh: '`refresh` (each connection rotates its session)',
  'refresh-unaudited': '`refresh` with `AUDIT_LOG_ENABLED=false` (a second server, same database)',
} as const;

export function markdown(r: BenchResults, resultsFile: string): string {
  const lines = [
    ...header(r),
    ...scenarioTable(r),
    ...databaseTable(r),
    ...bcryptLine(r),
    ...stormTable(r),
    ...sizeTable(r),
    ...auditTable(r),
    ...(r.broken.length > 0 ? [`**BROKEN: no successful reply in ${r.broken.join(', ')}**`, ''] : []),
    `Run took ${r.runSeconds.toFixed(0)} s. Results: \`${resultsFile}\``,
    '',
  ];
  return lines.join('\n');
}

function header(r: BenchResults): string[] {
  const m = r.machine;
  const lines = [
    `## elcorp identity benchmark (${m.mode})`,
    '',
    `${m.date} · commit ${m.commit} · ${m.cores} × ${m.cpu} · Node ${m.node} · ` +
      `${m.postgres.split(' on ')[0]} (${m.database}) · bcrypt cost ${m.bcryptCost} · ` +
      `UV_THREADPOOL_SIZE ${m.threadPoolSize} · ${m.secondsPerScenario} s per load (longer where bcrypt ` +
      `needs it) · rate limits out of reach (still counted) · other processes used ${pct(m.otherCpu)} ` +
      'of the CPU during the run',
    '',
  ];
  if ((m.otherCpu ?? 0) > CONTENTION_WARNING)
    lines.push(
      '**The machine was shared with other work: see the "other CPU" column before trusting a row.**',
      '',
    );
  return lines;
}

function scenarioTable(r: BenchResults): string[] {
  const lines = [
    '| scenario | conns | s | req/s | p50 ms | p99 ms | ok | errors | server peak RSS MB | other CPU |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const name of SCENARIO_NAMES) {
    const s = r.scenarios[name];
    if (!s) continue;
    const k = kind(s, name);
    lines.push(
      `| ${SCENARIO_LABELS[name]} | ${s.connections} | ${s.seconds.toFixed(0)} | ${rate(k.rps)} | ` +
        `${ms(k.p50Ms)} | ${ms(k.p99Ms)} | ${int(k.ok)} | ${int(errors(s, name))} | ` +
        `${mb(s.serverPeakRss)} | ${pct(s.otherCpu)} |`,
    );
  }
  const audited = r.scenarios.refresh;
  const unaudited = r.scenarios['refresh-unaudited'];
  if (audited && unaudited) {
    const ratio = kind(audited, 'refresh').rps / kind(unaudited, 'refresh-unaudited').rps;
    lines.push('', `\`refresh\` with its audit entry runs at ${ratio.toFixed(2)}× the rate without one.`);
  }
  return [...lines, ''];
}

function databaseTable(r: BenchResults): string[] {
  const rows = SCENARIO_NAMES.filter((name) => r.scenarios[name]?.database && name !== 'bare');
  if (rows.length === 0) return [];
  const num = (v: number | undefined, digits: number) => (v === undefined ? '–' : v.toFixed(digits));
  return [
    '### What a request costs PostgreSQL',
    '',
    'Per successful reply: statements sent and their execution time (pg_stat_statements; the job',
    "queue's polling and the audit chainer's idle ticks left out), the chainer's time linking the",
    "reply's audit entries, the CPU of every PostgreSQL process (parsing, planning, commits included;",
    "less what it spends idle) and the service process's CPU, and of it the CPU of libuv's thread",
    'pool, where bcrypt hashes.',
    '',
    '| scenario | statements | execution ms | linking ms | PostgreSQL CPU ms | service CPU ms | of it thread pool ms |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    ...rows.map((name) => {
      const d = r.scenarios[name]?.database as DbCost;
      return (
        `| ${SCENARIO_LABELS[name]} | ${num(d.statementsPerRequest, 1)} | ${num(d.execMsPerRequest, 3)} | ` +
        `${num(d.linkingExecMsPerRequest, 3)} | ${num(d.cpuMsPerRequest, 2)} | ${num(d.serviceCpuMsPerRequest, 2)} | ` +
        `${num(d.threadPoolCpuMsPerRequest, 2)} |`
      );
    }),
    '',
  ];
}

function bcryptLine(r: BenchResults): string[] {
  if (!r.bcrypt) return [];
  const bound = r.bcrypt.hashesPerSecond;
  const ratio = (name: 'login' | 'register' | 'login-floor') => {
    const s = r.scenarios[name];
    return s ? `${(kind(s, name).rps / bound).toFixed(2)}×` : '–';
  };
  return [
    `bcrypt bound (cost ${r.bcrypt.cost}, ${r.bcrypt.threads} threads, own process, server stopped, ` +
      `other CPU ${pct(r.bcrypt.otherCpu)}): **${rate(bound)} hashes/s**. ` +
      `login runs at **${ratio('login')}** of it, register at ${ratio('register')}, ` +
      `the sign-in floor at ${ratio('login-floor')}.`,
    '',
  ];
}

function stormTable(r: BenchResults): string[] {
  if (!r.storm) return [];
  const { idleProbe, probe, login } = r.storm;
  const lines = [
    '### Event loop under a login storm',
    '',
    `Probe: ${probe.connections} connections alternating \`me\` and \`GET /healthz\` for ` +
      `${probe.seconds.toFixed(0)} s, alone (other CPU ${pct(idleProbe.otherCpu)}) and then beside ` +
      `\`login\` on ${login.connections} connections (${rate(kind(login, 'login').rps)} logins/s, ` +
      `${int(errors(login, 'login'))} errors, other CPU ${pct(login.otherCpu)}).`,
    '',
    '| probe | p50 ms idle | p99 ms idle | p50 ms in storm | p99 ms in storm | req/s in storm | errors |',
    '| --- | --: | --: | --: | --: | --: | --: |',
  ];
  for (const name of ['me', 'healthz']) {
    const idle = kind(idleProbe, name);
    const busy = kind(probe, name);
    lines.push(
      `| ${name === 'me' ? '`me`' : '`/healthz`'} | ${ms(idle.p50Ms)} | ${ms(idle.p99Ms)} | ` +
        `${ms(busy.p50Ms)} | ${ms(busy.p99Ms)} | ${rate(busy.rps)} | ` +
        `${int(idle.errors + busy.errors + probe.connectionErrors)} |`,
    );
  }
  return [...lines, ''];
}

function sizeTable(r: BenchResults): string[] {
  const sizes = r.sizes;
  if (!sizes) return [];
  type Size = (typeof sizes)[number];
  const row = (label: string, cell: (s: Size) => string) => `| ${label} | ${sizes.map(cell).join(' | ')} |`;
  const latency = (m: Measured, name: string) => `${ms(kind(m, name).p50Ms)} / ${ms(kind(m, name).p99Ms)}`;
  return [
    '### Cost versus size',
    '',
    `| | ${sizes.map((s) => `${int(s.users)} users`).join(' | ')} |`,
    `| --- | ${sizes.map(() => '--:').join(' | ')} |`,
    row('seeding (SQL, s)', (s) => s.seedSeconds.toFixed(1)),
    row(`\`me\` req/s (${sizes[0].me.connections} conns)`, (s) => rate(kind(s.me, 'me').rps)),
    row('`me` p50 / p99 ms', (s) => latency(s.me, 'me')),
    row(`\`login\` req/s (${sizes[0].login.connections} conns)`, (s) => rate(kind(s.login, 'login').rps)),
    row('`login` p50 / p99 ms', (s) => latency(s.login, 'login')),
    row('errors (me + login)', (s) => int(errors(s.me, 'me') + errors(s.login, 'login'))),
    row('other CPU (me / login)', (s) => `${pct(s.me.otherCpu)} / ${pct(s.login.otherCpu)}`),
    '',
  ];
}

function auditTable(r: BenchResults): string[] {
  if (!r.audit) return [];
  return [
    '### Audit trail ceiling',
    '',
    "Single-entry appends straight to PostgreSQL (no HTTP), while the idle server's chainer links them",
    'into the hash chain: what every audited write of every instance shares. `statement`: appendNow, facts',
    'committing on their own (those of concurrent callers in one INSERT); `transaction`: BEGIN, INSERT,',
    'COMMIT, as a use case stages its entries; `empty transaction`: BEGIN, SELECT 1, COMMIT, for reference.',
    '',
    '| shape | writers | appends/s | waiting to be linked at the end | oldest waited s | drained in s | linked/s | other CPU |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    ...r.audit.map(
      (a) =>
        `| ${a.shape} | ${a.writers} | ${int(a.appendsPerSecond)} | ${int(a.pendingAtEnd)} | ${a.lagSecondsAtEnd.toFixed(2)} | ` +
        `${a.drainSeconds.toFixed(2)} | ${int(a.linkedPerSecond)} | ${pct(a.otherCpu)} |`,
    ),
    '',
  ];
}

/** Writes bench/results/<timestamp>.json, through a temporary name so a reader never sees half a file. */
export function writeResults(dir: string, r: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const stamp = r.machine.date.replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}.json`);
  const tmp = join(dir, `${stamp}.tmp.json`);
  writeFileSync(tmp, `${JSON.stringify(r, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
