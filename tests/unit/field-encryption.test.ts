import { randomBytes } from 'node:crypto';
import { createFieldEncryption, FieldDecryptionError } from '../../src/adapters/crypto/field-encryption';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('field encryption', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('round-trips and uses a fresh nonce each time', () => {
    const enc = createFieldEncryption([k1]);
    const a = enc.encrypt('JBSWY3DPEHPK3PXP', 'users.mfa_secret');
    const b = enc.encrypt('JBSWY3DPEHPK3PXP', 'users.mfa_secret');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1:k1:')).toBe(true);
    expect(enc.decrypt(a, 'users.mfa_secret')).toBe('JBSWY3DPEHPK3PXP');
    // 12-byte nonce + 16 plaintext bytes + 16-byte tag.
    expect(Buffer.from(a.split(':')[2], 'base64')).toHaveLength(44);
  });

  it('refuses tampered ciphertext, another context and an unknown key id', () => {
    const enc = createFieldEncryption([k1]);
    const c = enc.encrypt('secret', 'ctx');
    const raw = Buffer.from(c.split(':')[2], 'base64');
    raw[20] ^= 1;
    expect(() => enc.decrypt(`v1:k1:${raw.toString('base64')}`, 'ctx')).toThrow(FieldDecryptionError);
    expect(() => enc.decrypt(c, 'other')).toThrow(FieldDecryptionError);
    expect(() => createFieldEncryption([k2]).decrypt(c, 'ctx')).toThrow(/unknown key id k1/);
  });

  it('encrypts with the first key and decrypts with any', () => {
    const old = createFieldEncryption([k1]).encrypt('value', 'ctx');
    const rotated = createFieldEncryption([k2, k1]);
    expect(rotated.decrypt(old, 'ctx')).toBe('value');
    expect(rotated.needsReencryption(old)).toBe(true);
    const fresh = rotated.encrypt('value', 'ctx');
    expect(fresh.startsWith('v1:k2:')).toBe(true);
    expect(rotated.needsReencryption(fresh)).toBe(false);
  });
});
