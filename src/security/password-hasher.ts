import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * bcrypt over an HMAC-SHA-256 pre-hash keyed with the server pepper. bcrypt
 * reads only 72 bytes; the 44-character base64 digest carries every character
 * of the password into the hash. bcrypt runs on libuv's thread pool, off the event loop.
 */
export function createPasswordHasher(opts: { pepper: Buffer; cost: number }) {
  const prehash = (password: string) =>
    createHmac('sha256', opts.pepper).update(password, 'utf8').digest('base64');
  // Compared against when the account does not exist, so that an unknown
  // identifier costs the same time as a wrong password.
  const dummyHash = bcrypt.hash(prehash('dummy password for timing'), opts.cost);

  return {
    hash: (password: string) => bcrypt.hash(prehash(password), opts.cost),
    verify: (password: string, hash: string) => bcrypt.compare(prehash(password), hash),
    /** Spends one comparison's time and always fails. */
    verifyDummy: async (password: string) => {
      await bcrypt.compare(prehash(password), await dummyHash);
      return false;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
