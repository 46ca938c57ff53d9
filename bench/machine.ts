import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SPARE_POOL_THREADS } from '../src/adapters/crypto/thread-pool.js';
import { DEFAULT_PASSWORD_HASH_CONCURRENCY } from '../src/config/config.js';

/**
 * CPU time of the whole machine and of this run's own process tree (the bench, the server, the
 * embedded PostgreSQL and its backends, finished children included), in clock ticks. On a
 * 2-core machine anything else running skews every number, so each measurement reports how much
 * of the machine other processes took meanwhile. Linux only: elsewhere the samples are undefined.
 */
export interface CpuSample {
  at: number;
  busyTicks: number;
  ownTicks: number;
}

export function cpuSample(): CpuSample | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    // user nice system idle iowait irq softirq: steal (other VMs) is not ours to explain
    const [user, nice, system, , , irq, softirq] = fields.map(Number);
    return {
      at: performance.now(),
      busyTicks: user + nice + system + irq + softirq,
      ownTicks: treeTicks(process.pid),
    };
  } catch {
    return undefined;
  }
}

/** Share of the machine's capacity (0–1) that processes outside this run used between two samples. */
export function otherCpuShare(a: CpuSample | undefined, b: CpuSample | undefined): number | undefined {
  if (!a || !b || b.at <= a.at) return undefined;
  // USER_HZ, the unit of /proc/stat and /proc/<pid>/stat, is 100 on every Linux Node supports.
  const capacityTicks = ((b.at - a.at) / 1000) * 100 * cpus().length;
  const other = b.busyTicks - a.busyTicks - (b.ownTicks - a.ownTicks);
  return Math.min(1, Math.max(0, other / capacityTicks));
}

/** Every process's name, parent and CPU from /proc/<pid>/stat, in clock ticks. */
export function procStats(): {
  pid: number;
  comm: string;
  ppid: number;
  ticks: number;
  childTicks: number;
}[] {
  const stats = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": after "(comm)", utime(11) stime(12) cutime(13) cstime(14)
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.push({
        pid: Number(entry),
        comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
        ppid: Number(f[1]),
        ticks: +f[11] + +f[12],
        childTicks: +f[13] + +f[14],
      });
    } catch {
      // exited while listing
    }
  }
  return stats;
}

/** utime + stime + cutime + cstime of `root` and of every live descendant. */
function treeTicks(root: number): number {
  const stats = procStats();
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    for (const s of stats) {
      if (s.pid === pid) total += s.ticks + s.childTicks;
      if (s.ppid === pid) pending.push(s.pid);
    }
  }
  return total;
}

/**
 * utime + stime of the threads of one process named `name` (libuv's thread pool: `libuv-worker`),
 * in clock ticks.
 */
export function threadTicks(pid: number, name: string): number | undefined {
  try {
    let ticks = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      if (text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) !== name) continue;
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      ticks += +f[11] + +f[12];
    }
    return ticks;
  } catch {
    return undefined;
  }
}

/** utime + stime of one process (all its threads), in clock ticks. */
export function processTicks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return +f[11] + +f[12];
  } catch {
    return undefined;
  }
}

/**
 * Waits until a process has used at most 2 ticks (20 ms) of CPU in 250 ms. autocannon abandons
 * the requests in flight when a load ends, but the server still runs them: after a login load,
 * up to one bcrypt per connection, whose thread-pool jobs would slow the start of the next load.
 */
export async function waitForIdle(pid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let before = processTicks(pid);
  while (before !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = processTicks(pid);
    if (now === undefined) break;
    if (now - before <= 2) return true;
    before = now;
  }
  return false;
}

export function machineFacts() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    threadPoolSize:
      Number(process.env.UV_THREADPOOL_SIZE) || DEFAULT_PASSWORD_HASH_CONCURRENCY + SPARE_POOL_THREADS,
  };
}

export function gitCommit(cwd: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    const dirty = git('status', '--porcelain', '--untracked-files=no').length > 0;
    return `${git('rev-parse', '--short', 'HEAD').toString().trim()}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}
