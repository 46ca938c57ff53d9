import { randomFill } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * bcrypt runs on libuv's thread pool, beside WebCrypto's jobs (token signature checks; tokens are
 * signed on the event loop), so the pool and the number of hashes in flight are sized together: the
 * pool keeps two threads more than the hashes may take, so that a token is never checked behind a
 * queue of hashes.
 *
 * Hashing is the one thing the service does that can use every core for as long as it is asked
 * to; requests that need no hash (`me`, refresh) must not wait behind it. So the pool's threads
 * run at a lower scheduling priority (nice 10) than the event loop and PostgreSQL: a login storm
 * hashes with whatever CPU is left and no more. With several hashes in flight the cores stay
 * busy between them (a finished hash's successor starts only once the event loop got to it).
 */

/** Threads the pool keeps beyond the hashes in flight: token signature checks, file and DNS work. */
export const SPARE_POOL_THREADS = 2;
/** The pool threads' niceness: the event loop (0) and PostgreSQL run first when both want a core. */
export const POOL_THREAD_NICE = 10;

/**
 * Sizes the pool for `hashes` in flight unless UV_THREADPOOL_SIZE is set. Only before the pool's
 * first use (libuv reads the variable then): call it before any asynchronous file, DNS or crypto work.
 * Returns the size in force.
 */
export function sizeThreadPool(hashes: number): number {
  const set = Number(process.env.UV_THREADPOOL_SIZE);
  if (Number.isInteger(set) && set > 0) return set;
  const size = hashes + SPARE_POOL_THREADS;
  process.env.UV_THREADPOOL_SIZE = String(size);
  return size;
}

/**
 * Starts the pool and lowers its threads' priority. Linux only, and only where libuv names its
 * threads (`libuv-worker`, the Node.js runtime this service ships with): elsewhere nothing
 * changes. Returns how many threads it lowered.
 */
export async function lowerThreadPoolPriority(nice = POOL_THREAD_NICE): Promise<number> {
  // Any pool job makes libuv start every thread of the pool.
  await new Promise((resolve) => randomFill(Buffer.alloc(1), resolve));
  let lowered = 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      setPriority(Number(tid), nice);
      lowered += 1;
    } catch {
      // A thread that ended meanwhile, or a system that refuses: it keeps its priority.
    }
  }
  return lowered;
}
