import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import { testClock } from '../support/clock';
import { meCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { MeDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { decodeSegment, encodeSegment, jwtHeader } from '../support/tokens';

const clock = testClock();
let app: TestApp;
let login: Awaited<ReturnType<typeof signIn>>;
let outbound: Server;
let outboundHits = 0;

beforeAll(async () => {
  app = await startTestApp({ clock });
  login = await signIn(app, await aUser(app));
  outbound = createServer((_req, res) => {
    outboundHits += 1;
    res.end('{}');
  }).listen(0, '127.0.0.1');
});
afterAll(async () => {
  outbound.close();
  await app.close();
});

const parts = (token: string) => token.split('.');

describe('access token verification', () => {
  it('accepts the genuine token', async () => {
    expect(await meCode(app, login.accessToken)).toBe('OK');
  });

  it('refuses alg "none"', async () => {
    const [h, p] = parts(login.accessToken);
    const header = { ...decodeSegment(h), alg: 'none' };
    expect(await meCode(app, `${encodeSegment(header)}.${p}.`)).toBe('UNAUTHENTICATED');
  });

  it('refuses HS256 keyed with the public key', async () => {
    const jwks = (await (await fetch(`${app.baseUrl}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    const jwk = jwks.keys[0];
    const payload = decodeSegment(parts(login.accessToken)[1]);
    for (const secret of [Buffer.from(jwk.x, 'base64url'), Buffer.from(JSON.stringify(jwk))]) {
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })
        .sign(secret);
      expect(await meCode(app, forged)).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a stripped or altered signature and an altered payload', async () => {
    const [h, p, s] = parts(login.accessToken);
    expect(await meCode(app, `${h}.${p}.`)).toBe('UNAUTHENTICATED');
    expect(await meCode(app, `${h}.${p}`)).toBe('UNAUTHENTICATED');
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] ^= 1;
    expect(await meCode(app, `${h}.${p}.${flipped.toString('base64url')}`)).toBe('UNAUTHENTICATED');
    const elevated = encodeSegment({ ...decodeSegment(p), role: 'ADMIN' });
    expect(await meCode(app, `${h}.${elevated}.${s}`)).toBe('UNAUTHENTICATED');
  });

  it('never follows jku, jwk or x5u headers and refuses such tokens', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const payload = decodeSegment(parts(login.accessToken)[1]);
    const ourKid = jwtHeader(login.accessToken).kid;
    const url = `http://127.0.0.1:${(outbound.address() as AddressInfo).port}/jwks.json`;
    const headers = [
      { jku: url, kid: 'attacker' },
      { jku: url, kid: ourKid },
      { jwk: await exportJWK(attacker.publicKey), kid: ourKid },
      { x5u: url, kid: ourKid },
    ];
    for (const extra of headers) {
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...extra })
        .sign(attacker.privateKey);
      expect(await meCode(app, forged)).toBe('UNAUTHENTICATED');
    }
    expect(outboundHits).toBe(0);
  });

  it('verifies with a standard JWT library against the published key set, as another service would', async () => {
    const jwks = (await (await fetch(`${app.baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const claims = decodeSegment(parts(login.accessToken)[1]);
    const { payload, protectedHeader } = await jwtVerify(login.accessToken, createLocalJWKSet(jwks), {
      algorithms: ['EdDSA'],
      typ: 'at+jwt',
      issuer: claims.iss as string,
      audience: claims.aud as string,
      currentDate: clock.now(),
    });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: expect.any(String),
      aud: expect.any(String),
      sub: login.user.id,
      sid: login.session.id,
      did: login.session.deviceId,
      role: 'USER',
      jti: expect.any(String),
      iat: Math.floor(clock.now().getTime() / 1000),
      exp: Math.floor(clock.now().getTime() / 1000) + 15 * 60,
    });
    // One byte of the signature changed: refused.
    const [header, body, signature] = parts(login.accessToken);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(
      jwtVerify(`${header}.${body}.${flipped}`, createLocalJWKSet(jwks), { currentDate: clock.now() }),
    ).rejects.toThrow();
  });

  it('refuses a token with the wrong typ, audience or issuer even when signed with our key', async () => {
    const { kid, privateKey } = await app.service.signingKeys.signingKey();
    const payload = decodeSegment(parts(login.accessToken)[1]);
    const variants = [
      { header: { typ: 'JWT' }, claims: {} },
      { header: { typ: 'mfa-challenge+jwt' }, claims: {} },
      { header: {}, claims: { aud: 'another-service' } },
      { header: {}, claims: { iss: 'someone-else' } },
    ];
    for (const v of variants) {
      const forged = await new SignJWT({ ...payload, ...v.claims })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid, ...v.header })
        .sign(privateKey);
      expect(await meCode(app, forged)).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a refresh token and garbage used as an access token', async () => {
    expect(await meCode(app, login.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await meCode(app, 'a.b.c')).toBe('UNAUTHENTICATED');
    const res = await app.gql(MeDoc, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired token', async () => {
    const fresh = await signIn(app, await aUser(app), 'expiring');
    clock.advance(15 * 60 + 1);
    expect(await meCode(app, fresh.accessToken)).toBe('UNAUTHENTICATED');
  });
});

describe('signing keys', () => {
  it('publishes public keys only, each with kid, alg and use', async () => {
    const res = await fetch(`${app.baseUrl}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(typeof key.kid).toBe('string');
      expect(key.d).toBeUndefined();
    }
  });

  it('stores the private key encrypted', async () => {
    const rows = await app.orm.em.getConnection().execute('select private_jwk_ciphertext from signing_keys');
    for (const row of rows) {
      expect(row.private_jwk_ciphertext).toMatch(/^v1:k1:/);
      expect(row.private_jwk_ciphertext).not.toContain('"d"');
    }
  });

  it('still verifies tokens after a restart of the service', async () => {
    const before = await signIn(app, await aUser(app), 'restart');
    const restarted = await startTestApp({ databaseUrl: app.databaseUrl, clock });
    try {
      const res = await restarted.gql(MeDoc, undefined, bearer(before.accessToken));
      expect(res.data?.me.id).toBe(before.user.id);
    } finally {
      await restarted.close();
    }
  });
});
