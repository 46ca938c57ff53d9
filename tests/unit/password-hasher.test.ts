import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createPasswordHasher } from '../../src/adapters/crypto/password-hasher';

describe('password hasher', () => {
  const hasher = createPasswordHasher({ pepper: randomBytes(32), cost: 4, maxConcurrent: 2 });

  it('distinguishes passwords that differ only after byte 72', async () => {
    const hash = await hasher.hash(`${'a'.repeat(72)}X`);
    expect(await hasher.verify(`${'a'.repeat(72)}X`, hash)).toBe(true);
    expect(await hasher.verify(`${'a'.repeat(72)}Y`, hash)).toBe(false);
  });

  it('depends on the pepper', async () => {
    const hash = await hasher.hash('a long passphrase');
    const other = createPasswordHasher({ pepper: randomBytes(32), cost: 4, maxConcurrent: 2 });
    expect(await other.verify('a long passphrase', hash)).toBe(false);
  });

  it('salts: one password, two hashes', async () => {
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('verifies hashes stored as bcrypt over the base64 HMAC-SHA-256 of the password under the pepper', async () => {
    // The stored format: every existing hash depends on it staying the same.
    const pepper = randomBytes(32);
    const own = createPasswordHasher({ pepper, cost: 4, maxConcurrent: 2 });
    const prehash = createHmac('sha256', pepper).update('correct horse battery', 'utf8').digest('base64');
    const stored = await bcrypt.hash(prehash, 4);
    expect(await own.verify('correct horse battery', stored)).toBe(true);
    expect(await own.verify('correct horse battery!', stored)).toBe(false);
    expect(await bcrypt.compare(prehash, await own.hash('correct horse battery'))).toBe(true);
  });

  it('has a dummy comparison that always fails', async () => {
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });
});

describe('password hasher concurrency', () => {
  it('runs at most the configured number of bcrypt operations at once, and all of them complete', async () => {
    const bcrypt = require('bcrypt') as typeof import('bcrypt');
    let running = 0;
    let peak = 0;
    const original = bcrypt.compare;
    const spy = jest.spyOn(bcrypt, 'compare').mockImplementation((async (a: string, b: string) => {
      running += 1;
      peak = Math.max(peak, running);
      try {
        return await original(a, b);
      } finally {
        running -= 1;
      }
    }) as never);
    try {
      const limited = createPasswordHasher({ pepper: randomBytes(32), cost: 4, maxConcurrent: 2 });
      const hash = await limited.hash('a long passphrase');
      const results = await Promise.all(
        Array.from({ length: 8 }, () => limited.verify('a long passphrase', hash)),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(peak).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
