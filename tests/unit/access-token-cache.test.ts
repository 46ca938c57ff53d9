import { generateKeyPair } from 'jose';
import { createSignedTokens, type SignedTokens } from '../../src/adapters/tokens/signed-tokens';
import type { SigningKeys } from '../../src/adapters/tokens/signing-keys';
import { createAccessTokens } from '../../src/identity/application/access-tokens';
import { Role } from '../../src/identity/domain/enums';
import { testClock } from '../support/clock';

/** Real Ed25519 signatures over an in-memory key set; counts the signature checks. */
async function tokensCountingChecks(clock: ReturnType<typeof testClock>) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const keys = {
    signingKey: async () => ({ kid: 'k1', privateKey }),
    verificationKey: async (kid: string) => (kid === 'k1' ? publicKey : undefined),
  } as unknown as SigningKeys;
  const signed = createSignedTokens({ keys, clock, issuer: 'https://id.test' });
  let checks = 0;
  const counting: SignedTokens = {
    ...signed,
    verify: (...args) => {
      checks += 1;
      return signed.verify(...args);
    },
  };
  const access = createAccessTokens({
    tokens: counting,
    audience: 'elcorp',
    ttlSeconds: 60,
    clock,
    cacheSize: 2,
  });
  return { access, checks: () => checks };
}

const subject = { userId: 'user-1', sessionId: 'session-1', deviceId: 'device-1', role: Role.USER };

describe('verified access tokens', () => {
  it('checks a token’s signature once, then answers from what it verified, until exp', async () => {
    const clock = testClock(new Date('2026-12-01T12:00:00.500Z'));
    const { access, checks } = await tokensCountingChecks(clock);
    const { token } = await access.issue(subject);
    expect((await access.verify(token)).sessionId).toBe('session-1');
    expect((await access.verify(token)).userId).toBe('user-1');
    expect(checks()).toBe(1);
    clock.advance(59);
    expect((await access.verify(token)).deviceId).toBe('device-1');
    clock.advance(1);
    await expect(access.verify(token)).rejects.toMatchObject({ expired: true });
    expect(checks()).toBe(1);
  });

  it('checks a changed token afresh and refuses it', async () => {
    const clock = testClock();
    const { access, checks } = await tokensCountingChecks(clock);
    const { token } = await access.issue(subject);
    await access.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(access.verify(forged)).rejects.toMatchObject({ expired: false });
    expect(checks()).toBe(2);
  });

  it('keeps at most cacheSize tokens, the first verified going first', async () => {
    const clock = testClock();
    const { access, checks } = await tokensCountingChecks(clock);
    const tokens = await Promise.all([1, 2, 3].map(async () => (await access.issue(subject)).token));
    for (const token of tokens) await access.verify(token);
    expect(checks()).toBe(3);
    await access.verify(tokens[2]);
    await access.verify(tokens[1]);
    expect(checks()).toBe(3);
    await access.verify(tokens[0]);
    expect(checks()).toBe(4);
  });
});
