import { createHmac, createSecretKey } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * bcrypt over an HMAC-SHA-256 pre-hash keyed with the server pepper. bcrypt
 * reads only 72 bytes; the 44-character base64 digest carries every character
 * of the password into the hash. bcrypt runs on libuv's thread pool, off the event loop.
 */
export function createPasswordHasher(opts: { pepper: Buffer; cost: number; maxConcurrent: number }) {
  const limit = createLimiter(opts.maxConcurrent);
  // The pepper imported once: keyed with raw bytes, every HMAC would import them again.
  const pepper = createSecretKey(opts.pepper);
  const prehash = (password: string) =>
    createHmac('sha256', pepper).update(password, 'utf8').digest('base64');
  // Compared against when the account does not exist, so that an unknown
  // identifier costs the same time as a wrong password.
  const dummyHash = bcrypt.hash(prehash('dummy password for timing'), opts.cost);

  return {
    hash: (password: string) => limit(() => bcrypt.hash(prehash(password), opts.cost)),
    verify: (password: string, hash: string) => limit(() => bcrypt.compare(prehash(password), hash)),
    /** Spends one comparison's time and always fails. */
    verifyDummy: async (password: string) => {
      const dummy = await dummyHash;
      await limit(() => bcrypt.compare(prehash(password), dummy));
      return false;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

/**
 * At most `max` hashes at once: each takes a thread of libuv's pool for its whole duration, and
 * the pool also signs tokens. The process sizes the pool two threads larger (thread-pool.ts).
 */
function createLimiter(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
