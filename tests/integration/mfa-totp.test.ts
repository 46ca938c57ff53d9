import { totpCode } from '../../src/identity/domain/one-time-codes';
import { auditOf } from '../support/audit';
import { midTotpStep, testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { challengeFor, enrolTotp } from '../support/mfa';
import {
  BeginTotpDoc,
  ConfirmTotpDoc,
  DisableMfaDoc,
  LoginDoc,
  MeDoc,
  MySessionsDoc,
  VerifyMfaDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { decodeSegment, encodeSegment, JWT_FORMAT, REFRESH_TOKEN_FORMAT } from '../support/tokens';

// Steps of 30 s: keep the clock in the middle of one so ±1 step is unambiguous.
const clock = testClock(midTotpStep());
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const verify = (challengeToken: string, code: string) =>
  app.gql(VerifyMfaDoc, { input: { challengeToken, code } });

/** Asserts that a verification succeeded and opened a session for the user on the challenge's device. */
function expectSignedIn(res: Awaited<ReturnType<typeof verify>>, userId: string, deviceId = 'mfa-device') {
  expect(res.errors).toBeUndefined();
  const payload = res.data?.verifyMfa;
  expect(payload?.user.id).toBe(userId);
  expect(payload?.session).toMatchObject({ deviceId, current: true });
  expect(payload?.accessToken).toMatch(JWT_FORMAT);
  expect(payload?.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
}

async function userWithTotp() {
  const user = await aUser(app);
  const session = await signIn(app, user, 'enrol-device');
  const { secret, recoveryCodes } = await enrolTotp(app, clock, session.accessToken);
  return { user, session, secret, recoveryCodes };
}

describe('TOTP enrolment', () => {
  it('hands out a 160-bit secret and an otpauth URI, and turns MFA on only after a right code', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const begin = await app.gql(BeginTotpDoc, {}, bearer(session.accessToken));
    const { secret, otpauthUri } = begin.data?.beginTotpEnrollment ?? { secret: '', otpauthUri: '' };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/elcorp:${user.email}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      issuer: 'elcorp',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect((await app.gql(MeDoc, undefined, bearer(session.accessToken))).data?.me.mfaEnabled).toBe(false);

    expect(errorCode(await app.gql(ConfirmTotpDoc, { code: '000000' }, bearer(session.accessToken)))).toBe(
      'INVALID_CREDENTIALS',
    );
    const confirm = await app.gql(
      ConfirmTotpDoc,
      { code: totpCode(secret, clock.now()) },
      bearer(session.accessToken),
    );
    const codes = confirm.data?.confirmTotpEnrollment ?? [];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c.replace(/-/g, '')).toMatch(/^[A-Z2-7]{16}$/); // 80 bits each
    const me = await app.gql(MeDoc, undefined, bearer(session.accessToken));
    expect(me.data?.me).toMatchObject({ mfaEnabled: true, mfaMethods: ['TOTP'] });

    const [row] = await app.orm.em
      .getConnection()
      .execute('select mfa_secret from users where id = ?', [user.id]);
    expect(row.mfa_secret).toMatch(/^v1:k1:/);
    expect(row.mfa_secret).not.toContain(secret);
    const stored = await app.orm.em
      .getConnection()
      .execute('select code_hash from recovery_codes where user_id = ?', [user.id]);
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0].replace(/-/g, ''));
  });

  it('needs the password once the sign-in is more than five minutes old', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    clock.advance(301);
    expect(errorCode(await app.gql(BeginTotpDoc, {}, bearer(session.accessToken)))).toBe('FORBIDDEN');
    expect(
      errorCode(await app.gql(BeginTotpDoc, { password: 'not the password' }, bearer(session.accessToken))),
    ).toBe('INVALID_CREDENTIALS');
    const withPassword = await app.gql(
      BeginTotpDoc,
      { password: user.password },
      bearer(session.accessToken),
    );
    expect(withPassword.errors).toBeUndefined();
    expect(withPassword.data?.beginTotpEnrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
  });
});

describe('signing in with TOTP', () => {
  it('answers an MFA challenge instead of tokens, and the challenge token is no access token', async () => {
    const { user } = await userWithTotp();
    const res = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: user.password, deviceId: 'new' },
    });
    expect(res.data?.login).toMatchObject({ __typename: 'MfaChallenge', methods: ['TOTP'] });
    expect(res.raw).not.toMatch(/accessToken|refreshToken/);
    const challenge = await challengeFor(app, user);
    expect(errorCode(await app.gql(MeDoc, undefined, bearer(challenge.challengeToken)))).toBe(
      'UNAUTHENTICATED',
    );
    expect(errorCode(await app.gql(MySessionsDoc, undefined, bearer(challenge.challengeToken)))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('opens the session with a right code, once: the same code is refused in a second challenge', async () => {
    const { user, secret } = await userWithTotp();
    const code = totpCode(secret, clock.now());
    const ok = await verify((await challengeFor(app, user, 'laptop')).challengeToken, code);
    expect(ok.data?.verifyMfa.session.deviceId).toBe('laptop');
    expect((await app.gql(MeDoc, undefined, bearer(ok.data?.verifyMfa.accessToken ?? ''))).data?.me.id).toBe(
      user.id,
    );
    expect(errorCode(await verify((await challengeFor(app, user)).challengeToken, code))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('accepts codes one step either side and refuses two steps away', async () => {
    const { user, secret } = await userWithTotp();
    clock.advance(90); // well past the step used at enrolment, which is spent
    const at = (seconds: number) => totpCode(secret, new Date(clock.now().getTime() + seconds * 1000));
    expect(errorCode(await verify((await challengeFor(app, user)).challengeToken, at(-60)))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(errorCode(await verify((await challengeFor(app, user)).challengeToken, at(60)))).toBe(
      'INVALID_CREDENTIALS',
    );
    expectSignedIn(await verify((await challengeFor(app, user)).challengeToken, at(-30)), user.id);
    expectSignedIn(await verify((await challengeFor(app, user)).challengeToken, at(30)), user.id);
  });

  it('gives two parallel verifications of one code one success', async () => {
    const { user, secret } = await userWithTotp();
    const [a, b] = [await challengeFor(app, user, 'a'), await challengeFor(app, user, 'b')];
    const code = totpCode(secret, clock.now());
    const results = await Promise.all([verify(a.challengeToken, code), verify(b.challengeToken, code)]);
    expect(results.filter((r) => r.data?.verifyMfa).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'INVALID_CREDENTIALS').length).toBe(1);
  });

  it('lets one of two right answers to one challenge through, refusing the other as a used challenge', async () => {
    const { user, secret, recoveryCodes } = await userWithTotp();
    const challenge = await challengeFor(app, user);
    // The challenge's row held: both answers have read it unused and wait to take a try.
    const holder = await holdRowLock(
      app.databaseUrl,
      'select id from mfa_challenges where user_id = $1 for no key update',
      [user.id],
    );
    const answering = Promise.all([
      verify(challenge.challengeToken, totpCode(secret, clock.now())),
      verify(challenge.challengeToken, recoveryCodes[0]),
    ]);
    try {
      await waitForLockWaits(holder.client, 'update', 2);
    } finally {
      await holder.release();
    }
    const results = await answering;
    expect(results.map((r) => (r.data?.verifyMfa ? 'AuthPayload' : errorCode(r))).sort()).toEqual([
      'AuthPayload',
      'UNAUTHENTICATED',
    ]);
    const [{ n }] = await app.orm.em
      .getConnection()
      .execute('select count(*)::int as n from sessions where user_id = ? and device_id = ?', [
        user.id,
        'mfa-device',
      ]);
    expect(n).toBe(1);
    expect((await auditOf(app, user.id)).filter((e) => e.type === 'mfa.passed')).toHaveLength(1);
  });

  it('accepts each recovery code once', async () => {
    const { user, recoveryCodes } = await userWithTotp();
    expectSignedIn(
      await verify((await challengeFor(app, user)).challengeToken, recoveryCodes[3].toLowerCase()),
      user.id,
    );
    expect(errorCode(await verify((await challengeFor(app, user)).challengeToken, recoveryCodes[3]))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('takes at most five wrong codes per challenge', async () => {
    const { user, secret } = await userWithTotp();
    const { challengeToken } = await challengeFor(app, user);
    for (let i = 0; i < 5; i++)
      expect(errorCode(await verify(challengeToken, '000000'))).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await verify(challengeToken, totpCode(secret, clock.now())))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('counts wrong codes toward the account lockout', async () => {
    const { user, secret } = await userWithTotp();
    const { challengeToken } = await challengeFor(app, user);
    for (let i = 0; i < 5; i++) await verify(challengeToken, '111111');
    const res = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: user.password, deviceId: 'x' },
    });
    expect(errorCode(res)).toBe('INVALID_CREDENTIALS');
    expect(totpCode(secret, clock.now())).toMatch(/^\d{6}$/);
    const types = (await auditOf(app, user.id)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['mfa.enabled', 'mfa.failed', 'user.locked']));
  });

  it('refuses a challenge token that was tampered with or has expired', async () => {
    const { user, secret } = await userWithTotp();
    const { challengeToken } = await challengeFor(app, user);
    const [h, p, s] = challengeToken.split('.');
    const forged = `${h}.${encodeSegment({ ...decodeSegment(p), did: 'other' })}.${s}`;
    expect(errorCode(await verify(forged, totpCode(secret, clock.now())))).toBe('UNAUTHENTICATED');
    clock.advance(301);
    expect(errorCode(await verify(challengeToken, totpCode(secret, clock.now())))).toBe('UNAUTHENTICATED');
  });
});

describe('disableMfa', () => {
  it('needs the password and a current code, then signs in without a second factor', async () => {
    const { user, session, secret } = await userWithTotp();
    const auth = bearer(session.accessToken);
    expect(
      errorCode(
        await app.gql(
          DisableMfaDoc,
          { password: 'nope nope nope', code: totpCode(secret, clock.now()) },
          auth,
        ),
      ),
    ).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await app.gql(DisableMfaDoc, { password: user.password, code: '123456' }, auth))).toBe(
      'INVALID_CREDENTIALS',
    );
    const ok = await app.gql(
      DisableMfaDoc,
      { password: user.password, code: totpCode(secret, clock.now()) },
      auth,
    );
    expect(ok.data?.disableMfa).toBe(true);
    expect((await app.gql(MeDoc, undefined, auth)).data?.me).toMatchObject({
      mfaEnabled: false,
      mfaMethods: [],
    });
    expect((await signIn(app, user, 'after')).user.id).toBe(user.id);
    const types = (await auditOf(app, user.id)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['mfa.enabled', 'mfa.disabled']));
  });
});
