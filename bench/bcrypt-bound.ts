/**
 * The bcrypt bound: how many hashes per second this machine does at a cost, with the same
 * libuv thread pool size as the server (UV_THREADPOOL_SIZE, by default the hashes in flight + 2). Runs in its own
 * process, started by run.ts while the server is not running, and prints one JSON line.
 * Usage: node dist/bench/bcrypt-bound.js <cost> <seconds>
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { sizeThreadPool } from '../src/adapters/crypto/thread-pool.js';
import { DEFAULT_PASSWORD_HASH_CONCURRENCY } from '../src/config/config.js';

export interface BcryptBound {
  cost: number;
  threads: number;
  hashes: number;
  seconds: number;
  hashesPerSecond: number;
  /** Set by run.ts: the share of the machine other processes took meanwhile. */
  otherCpu?: number;
}

async function main(): Promise<void> {
  const cost = Number(process.argv[2]);
  const seconds = Number(process.argv[3]);
  // Sized as the server sizes its pool, before the first hash starts it.
  const threads = sizeThreadPool(DEFAULT_PASSWORD_HASH_CONCURRENCY);
  // Shaped like the server's input: base64 of an HMAC-SHA-256 digest, 44 characters.
  const input = randomBytes(32).toString('base64');
  // Twice the pool size keeps every thread busy: a finished thread never waits for the
  // event loop to queue the next hash.
  const inFlight = threads * 2;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let hashes = 0;
  let lastDone = started;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await bcrypt.hash(input, cost);
        hashes++;
        lastDone = performance.now();
      }
    }),
  );
  const elapsed = (lastDone - started) / 1000;
  const result: BcryptBound = { cost, threads, hashes, seconds: elapsed, hashesPerSecond: hashes / elapsed };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
