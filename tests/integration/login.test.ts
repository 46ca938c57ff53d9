import { UserStatus } from '../../src/identity/domain/enums';
import { User } from '../../src/identity/domain/user.entity';
import { aUser, signIn } from '../support/factories';
import { LoginDoc, MeDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { decodeSegment, JWT_FORMAT, REFRESH_TOKEN_FORMAT } from '../support/tokens';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('login', () => {
  it('signs in by email or by username in any case and returns a working session', async () => {
    const user = await aUser(app);
    for (const identifier of [user.email.toUpperCase(), user.username.toUpperCase()]) {
      const res = await app.gql(LoginDoc, {
        input: { identifier, password: user.password, deviceId: `dev-${identifier}`, deviceName: 'Pixel 8' },
      });
      const login = res.data?.login;
      expect(login?.__typename).toBe('AuthPayload');
      if (login?.__typename !== 'AuthPayload') return;
      expect(login.user.id).toBe(user.id);
      expect(login.session).toMatchObject({
        deviceId: `dev-${identifier}`,
        deviceName: 'Pixel 8',
        current: true,
      });
      expect(login.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
      const me = await app.gql(MeDoc, undefined, bearer(login.accessToken));
      expect(me.data?.me.id).toBe(user.id);
      expect(me.data?.me.lastLoginAt).not.toBeNull();
    }
  });

  it('issues an EdDSA at+jwt with the contract claims and a 15-minute lifetime', async () => {
    const login = await signIn(app, await aUser(app), 'claims-device');
    const [header, payload] = login.accessToken.split('.').slice(0, 2).map(decodeSegment);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: 'elcorp-identity',
      aud: 'elcorp',
      sub: login.user.id,
      sid: login.session.id,
      did: 'claims-device',
      role: 'USER',
    });
    expect(payload.exp - payload.iat).toBe(900);
    expect(typeof payload.jti).toBe('string');
  });

  it('answers the same INVALID_CREDENTIALS for an unknown user, a wrong password and a suspended account', async () => {
    const user = await aUser(app);
    const suspended = await aUser(app);
    const em = app.orm.em.fork();
    await em.nativeUpdate(User, { id: suspended.id }, { status: UserStatus.SUSPENDED });
    const attempts = [
      { identifier: 'nobody@example.com', password: user.password },
      { identifier: user.email, password: `${user.password}x` },
      { identifier: suspended.email, password: suspended.password },
    ];
    const bodies = [];
    for (const a of attempts) {
      const res = await app.gql(LoginDoc, { input: { ...a, deviceId: 'd' } });
      expect(res.data).toBeNull();
      bodies.push(res.errors?.map((e) => ({ message: e.message, extensions: e.extensions })));
    }
    expect(bodies[0]).toEqual([
      { message: 'Invalid credentials', extensions: { code: 'INVALID_CREDENTIALS' } },
    ]);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('replaces the session of a device that signs in again', async () => {
    const user = await aUser(app);
    const first = await signIn(app, user, 'phone');
    const second = await signIn(app, user, 'phone');
    expect(second.session.id).not.toBe(first.session.id);
    const old = await app.gql(MeDoc, undefined, bearer(first.accessToken));
    expect(old.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const current = await app.gql(MeDoc, undefined, bearer(second.accessToken));
    expect(current.data?.me.id).toBe(user.id);
  });

  it('refuses an empty or oversized device id', async () => {
    const user = await aUser(app);
    for (const deviceId of ['', 'x'.repeat(129)]) {
      const res = await app.gql(LoginDoc, {
        input: { identifier: user.email, password: user.password, deviceId },
      });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    }
  });

  it('checks every character of a long password, past bcrypt’s 72 bytes', async () => {
    const user = await aUser(app, { password: `${'a'.repeat(72)}X` });
    const wrong = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: `${'a'.repeat(72)}Y`, deviceId: 'd' },
    });
    expect(wrong.errors?.[0].extensions.code).toBe('INVALID_CREDENTIALS');
    const right = await signIn(app, user);
    expect(right.user.id).toBe(user.id);
    expect(right.accessToken).toMatch(JWT_FORMAT);
  });

  it('accepts a password of 64 four-byte emoji', async () => {
    const user = await aUser(app, { password: '🔐'.repeat(64) });
    expect((await signIn(app, user)).user.id).toBe(user.id);
  });
});
