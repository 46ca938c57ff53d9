import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createFieldEncryption } from '../../src/adapters/crypto/field-encryption';
import type { Orm } from '../../src/adapters/database/orm';
import {
  createSigningKeys,
  KEY_CACHE_SECONDS,
  MAX_STALE_SECONDS,
} from '../../src/adapters/tokens/signing-keys';
import { testClock } from '../support/clock';
import { createTestDatabase, openTestOrm } from '../support/database';

const clock = testClock();
const encryption = createFieldEncryption([{ id: 'k1', key: randomBytes(32) }]);
const keySelects: string[] = [];
let orm: Orm;

beforeAll(async () => {
  orm = await openTestOrm(await createTestDatabase(), {
    encryption,
    onQuery: (sql) => {
      if (/from "signing_keys"/.test(sql)) keySelects.push(sql);
    },
  });
});
afterAll(() => orm.close());

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}

/** An instance's key set; every instance reads and writes the same table. */
const anInstance = () => createSigningKeys({ em: orm.em, encryption, clock, accessTokenTtlSeconds: 900 });

describe('signing key cache', () => {
  it('signs from a stale cache without waiting, while one reload picks up a key rotated elsewhere', async () => {
    const a = anInstance();
    const b = anInstance();
    await a.ensureActiveKey();
    const first = (await a.signingKey()).kid;
    const rotated = await b.rotate();

    clock.advance(KEY_CACHE_SECONDS + 1);
    keySelects.length = 0;
    const answers = await Promise.all([a.signingKey(), a.signingKey(), a.signingKey()]);
    // Answered from the cache: the key of before, with one reload started beside them,
    // which the JWKS route (waiting for fresh keys) joins.
    expect(answers.map((k) => k.kid)).toEqual([first, first, first]);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([first, rotated]));
    expect(keySelects).toHaveLength(1);
    expect((await a.signingKey()).kid).toBe(rotated);
  });

  it('waits for the reload when it has no keys yet, and for a fresh one after its own rotation', async () => {
    const a = anInstance();
    await a.ensureActiveKey();
    const before = (await a.signingKey()).kid;
    const rotated = await a.rotate();
    expect(rotated).not.toBe(before);
    keySelects.length = 0;
    expect((await a.signingKey()).kid).toBe(rotated);
    expect(keySelects).toHaveLength(0);
    expect(await anInstance().signingKey()).toMatchObject({ kid: rotated });
  });

  it('keeps signing with its keys while reloads fail, retrying once a second and reporting each failure', async () => {
    const failures: unknown[] = [];
    const a = createSigningKeys({
      em: orm.em,
      encryption,
      clock,
      accessTokenTtlSeconds: 900,
      onReloadError: (err) => failures.push(err),
    });
    await a.ensureActiveKey();
    const kid = (await a.signingKey()).kid;
    await orm.em.getConnection().execute('alter table signing_keys rename to signing_keys_away');
    try {
      clock.advance(KEY_CACHE_SECONDS + 1);
      expect((await a.signingKey()).kid).toBe(kid);
      await waitUntil(() => failures.length > 0);
      for (let i = 0; i < 5; i++) {
        expect((await a.signingKey()).kid).toBe(kid);
        await new Promise((r) => setTimeout(r, 30)); // time for a reload, had one started, to fail
      }
      expect(failures).toHaveLength(1);
      clock.advance(2);
      await a.signingKey();
      await waitUntil(() => failures.length > 1);
      expect(failures).toHaveLength(2);
      // Past MAX_STALE_SECONDS without a reload: no signing, no verifying (fail closed).
      clock.advance(MAX_STALE_SECONDS);
      await expect(a.signingKey()).rejects.toThrow(/signing_keys/);
      await expect(a.verificationKey(kid)).rejects.toThrow(/signing_keys/);
    } finally {
      await orm.em.getConnection().execute('alter table signing_keys_away rename to signing_keys');
    }
    clock.advance(2);
    await expect(a.jwks()).resolves.toBeDefined();
    expect((await a.signingKey()).kid).toBe(kid);
  });

  it('stops signing, and applies the retirement, when the new key was made under an encryption key it lacks', async () => {
    const a = anInstance();
    await a.ensureActiveKey();
    const old = (await a.signingKey()).kid;
    const other = createFieldEncryption([{ id: 'k2', key: randomBytes(32) }]);
    await createSigningKeys({ em: orm.em, encryption: other, clock, accessTokenTtlSeconds: 900 }).rotate();
    clock.advance(KEY_CACHE_SECONDS + 1);
    await a.jwks(); // a reload, which cannot read the new private key
    await expect(a.signingKey()).rejects.toThrow(/unknown key id k2/);
    expect(await a.verificationKey(old)).toBeDefined();
    clock.advance(900 + KEY_CACHE_SECONDS + 1);
    await a.jwks();
    expect(await a.verificationKey(old)).toBeUndefined();
    await a.rotate(); // a key every instance of this file can read again
    expect((await a.signingKey()).kid).toBeDefined();
  });

  it('signs with nothing but an Ed25519 key, whatever the key row holds', async () => {
    const a = anInstance();
    const kid = await a.rotate();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await orm.em
      .getConnection()
      .execute('update signing_keys set private_jwk_ciphertext = ? where kid = ?', [
        encryption.encrypt(JSON.stringify(privateKey.export({ format: 'jwk' })), 'signing_keys.private_jwk'),
        kid,
      ]);
    clock.advance(KEY_CACHE_SECONDS + 1);
    await a.jwks(); // a reload
    await expect(a.signingKey()).rejects.toThrow(/signing key is ec, not Ed25519/);
    await a.rotate(); // a key every instance of this file can use again
    expect((await a.signingKey()).kid).toBeDefined();
  });

  it('looks up a kid it does not know at once, at most once a second', async () => {
    const a = anInstance();
    const b = anInstance();
    await a.ensureActiveKey();
    await a.signingKey();
    const made = await b.rotate();
    expect(await a.verificationKey(made)).toBeDefined();
    clock.advance(2);
    keySelects.length = 0;
    expect(await a.verificationKey('no-such-kid')).toBeUndefined();
    expect(await a.verificationKey('no-such-kid-either')).toBeUndefined();
    expect(keySelects).toHaveLength(1);
  });
});
