import { randomBytes } from 'node:crypto';
import { createPasswordHasher } from '../../src/security/password-hasher';

describe('password hasher', () => {
  const hasher = createPasswordHasher({ pepper: randomBytes(32), cost: 4 });

  it('distinguishes passwords that differ only after byte 72', async () => {
    const hash = await hasher.hash(`${'a'.repeat(72)}X`);
    expect(await hasher.verify(`${'a'.repeat(72)}X`, hash)).toBe(true);
    expect(await hasher.verify(`${'a'.repeat(72)}Y`, hash)).toBe(false);
  });

  it('depends on the pepper', async () => {
    const hash = await hasher.hash('a long passphrase');
    const other = createPasswordHasher({ pepper: randomBytes(32), cost: 4 });
    expect(await other.verify('a long passphrase', hash)).toBe(false);
  });

  it('salts: one password, two hashes', async () => {
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('has a dummy comparison that always fails', async () => {
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });
});
