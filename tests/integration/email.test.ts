import { parse } from 'graphql';
import { testClock } from '../support/clock';
import { errorCode, loginOutcome } from '../support/errors';
import { aRegistration, aUser, signIn } from '../support/factories';
import { linkToken, mailsTo, mailTo } from '../support/mail';
import { enrolTotp } from '../support/mfa';
import { DisableMfaDoc, LoginDoc, MeDoc, RegisterDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock, env: { PUBLIC_WEB_URL: 'https://account.elcorp.example' } });
});
afterAll(() => app.close());

const VerifyEmail = parse('mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }');
const RequestVerification = parse('mutation { requestEmailVerification }');
const RequestReset = parse('mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }');
const ResetPassword = parse(
  'mutation Reset($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }',
);
const EmailState = parse('query { me { email emailVerified pendingEmail } }');
const ChangeEmail = parse(
  'mutation ChangeEmail($email: String!) { updateProfile(input: { email: $email }) { email pendingEmail } }',
);
const ChangePassword = parse(
  'mutation ChangePassword($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }',
);

const NEW_PASSWORD = 'a completely new passphrase 77';
const login = (identifier: string, password: string, deviceId = 'laptop') =>
  loginOutcome(app.gql(LoginDoc, { input: { identifier, password, deviceId } }));

describe('email verification', () => {
  it('mails a link at registration that verifies the address, once', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    expect((await app.gqlAny(EmailState, {}, bearer(session.accessToken))).data?.me).toEqual({
      email: user.email,
      emailVerified: false,
      pendingEmail: null,
    });
    const mail = await mailTo(app, user.email, 'Confirm your email address');
    expect(mail?.text).toContain('https://account.elcorp.example/verify-email?token=');
    expect(mail?.html).toContain('href="https://account.elcorp.example/verify-email?token=');
    expect(mail?.text).not.toContain(user.password);
    const token = linkToken(mail);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await app.gqlAny(VerifyEmail, { token })).data?.verifyEmail).toBe(true);
    expect((await app.gqlAny(EmailState, {}, bearer(session.accessToken))).data?.me).toMatchObject({
      emailVerified: true,
    });
    const again = await app.gqlAny(VerifyEmail, { token });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect(errorCode(await app.gqlAny(VerifyEmail, { token: 'not-a-token' }))).toBe('BAD_USER_INPUT');
  });

  it('stores only a digest of the link token', async () => {
    const user = await aUser(app);
    const token = linkToken(await mailTo(app, user.email, 'Confirm your email address'));
    const rows = await app.orm.em
      .getConnection()
      .execute('select * from email_tokens where user_id = ?', [user.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('sends a new link on request, which replaces the first, within 3 an hour', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const first = linkToken(await mailTo(app, user.email, 'Confirm your email address'));
    for (let i = 0; i < 3; i++)
      expect(
        (await app.gqlAny(RequestVerification, {}, bearer(session.accessToken))).data
          ?.requestEmailVerification,
      ).toBe(true);
    expect(errorCode(await app.gqlAny(RequestVerification, {}, bearer(session.accessToken)))).toBe(
      'RATE_LIMITED',
    );
    // The registration's link, the new-device notice and three more links: only the last link issued works.
    const links = (await mailsTo(app, user.email, { count: 5 })).filter(
      (m) => m.subject === 'Confirm your email address',
    );
    expect(links).toHaveLength(4);
    const results = [];
    for (const mail of links)
      results.push((await app.gqlAny(VerifyEmail, { token: linkToken(mail) })).data?.verifyEmail);
    expect(results.filter((r) => r === true)).toHaveLength(1);
    expect(errorCode(await app.gqlAny(VerifyEmail, { token: first }))).toBe('BAD_USER_INPUT');
  });
});

describe('forgotten password', () => {
  it('mails a reset link to a known address and nothing to an unknown one, answering true to both', async () => {
    const stranger = `nobody.${Date.now()}@example.com`;
    expect((await app.gqlAny(RequestReset, { email: stranger })).data?.requestPasswordReset).toBe(true);
    const user = await aUser(app);
    expect((await app.gqlAny(RequestReset, { email: user.email })).data?.requestPasswordReset).toBe(true);
    const mail = await mailTo(app, user.email, 'Reset your password');
    expect(mail?.text).toContain('https://account.elcorp.example/reset-password?token=');
    // The stranger's request was handled first (one queue, oldest first) and sent nothing.
    expect(await mailsTo(app, stranger, { count: 0, timeoutMs: 0 })).toEqual([]);
  });

  it('is rate limited per address asked about and per client', async () => {
    const own = await startTestApp({
      env: {
        TRUSTED_PROXIES: 'loopback',
        RATE_LIMIT_PASSWORD_RESETS_PER_EMAIL: '2',
        RATE_LIMIT_PASSWORD_RESETS_PER_CLIENT: '3',
      },
    });
    try {
      const ask = (email: string, ip: string) =>
        own.gqlAny(RequestReset, { email }, { 'x-forwarded-for': ip }).then((r) => errorCode(r) ?? 'OK');
      const target = 'someone.to.annoy@example.com';
      expect([await ask(target, '198.51.100.1'), await ask(target, '198.51.100.2')]).toEqual(['OK', 'OK']);
      // A third request for the same address is refused, from any client.
      expect(await ask(target, '198.51.100.3')).toBe('RATE_LIMITED');
      // One client asking about many addresses runs out too.
      expect(await ask('a.one@example.com', '198.51.100.9')).toBe('OK');
      expect(await ask('a.two@example.com', '198.51.100.9')).toBe('OK');
      expect(await ask('a.three@example.com', '198.51.100.9')).toBe('OK');
      expect(await ask('a.four@example.com', '198.51.100.9')).toBe('RATE_LIMITED');
    } finally {
      await own.close();
    }
  });

  it('does the same database work for a known and an unknown address', async () => {
    const statements: string[] = [];
    // No worker here: only the request's own statements are seen.
    const own = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      const user = await aUser(own);
      const requestFor = async (email: string) => {
        statements.length = 0;
        expect((await own.gqlAny(RequestReset, { email })).data?.requestPasswordReset).toBe(true);
        return statements.map((sql) => sql.replace(/\[took \d+ ms.*$/, '').trim());
      };
      const known = await requestFor(user.email);
      const unknown = await requestFor(`nobody.${Date.now()}@example.com`);
      expect(unknown).toEqual(known);
      expect(known.some((sql) => /users/.test(sql))).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('sets a new password once: policy applied, sessions ended, lockout lifted, owner told', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    for (let i = 0; i < 5; i++) expect(await login(user.email, 'wrong guess')).toBe('INVALID_CREDENTIALS');
    await app.gqlAny(RequestReset, { email: user.email });
    const token = linkToken(await mailTo(app, user.email, 'Reset your password'));

    const weak = await app.gqlAny(ResetPassword, { token, newPassword: 'password1234' });
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await app.gqlAny(ResetPassword, { token, newPassword: NEW_PASSWORD })).data?.resetPassword).toBe(
      true,
    );

    expect(errorCode(await app.gql(MeDoc, undefined, bearer(session.accessToken)))).toBe('UNAUTHENTICATED');
    expect(await login(user.email, NEW_PASSWORD)).toBe('AuthPayload');
    expect(await mailTo(app, user.email, 'Your password was changed')).toBeDefined();
    const reused = await app.gqlAny(ResetPassword, { token, newPassword: `${NEW_PASSWORD} again` });
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
  });

  it('lets a reset link work for 30 minutes only', async () => {
    const user = await aUser(app);
    await app.gqlAny(RequestReset, { email: user.email });
    const token = linkToken(await mailTo(app, user.email, 'Reset your password'));
    clock.advance(30 * 60 + 1);
    const late = await app.gqlAny(ResetPassword, { token, newPassword: NEW_PASSWORD });
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect(await login(user.email, user.password)).toBe('AuthPayload');
  });
});

describe('changing the email address', () => {
  it('waits for the new address to confirm, tells the old one, then switches', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    const next = aRegistration().email;
    const asked = await app.gqlAny(ChangeEmail, { email: next }, bearer(session.accessToken));
    expect(asked.data?.updateProfile).toEqual({ email: user.email, pendingEmail: next });
    expect(await mailTo(app, user.email, 'Your email address is being changed')).toBeDefined();
    const token = linkToken(await mailTo(app, next, 'Confirm your new email address'));

    // A pending address is taken: nobody else may register it or ask for it meanwhile.
    const other = await aUser(app);
    const otherSession = await signIn(app, other, 'other-device');
    const clash = await app.gqlAny(ChangeEmail, { email: next }, bearer(otherSession.accessToken));
    expect(clash.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(await login(next, user.password)).toBe('INVALID_CREDENTIALS');
    const registering = await app.gql(RegisterDoc, { input: aRegistration({ email: next }) });
    expect(registering.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });

    expect((await app.gqlAny(VerifyEmail, { token })).data?.verifyEmail).toBe(true);
    expect((await app.gqlAny(EmailState, {}, bearer(session.accessToken))).data?.me).toEqual({
      email: next,
      emailVerified: true,
      pendingEmail: null,
    });
    const told = await mailTo(app, user.email, 'Your email address was changed');
    expect(told?.text).not.toContain(next);
    expect(await login(next, user.password, 'laptop-2')).toBe('AuthPayload');
    expect(await login(user.email, user.password)).toBe('INVALID_CREDENTIALS');
  });
});

describe('security notices', () => {
  it('tells the owner of a sign-in from a new device, once per device, and of a password change', async () => {
    const user = await aUser(app);
    await signIn(app, user, 'first-phone');
    const newDevice = await mailTo(app, user.email, 'A sign-in from a new device');
    expect(newDevice).toBeDefined();
    await signIn(app, user, 'first-phone');
    const session = await signIn(app, user, 'second-phone');
    expect(
      (await mailsTo(app, user.email, { count: 3 })).filter(
        (m) => m.subject === 'A sign-in from a new device',
      ),
    ).toHaveLength(2);
    const changed = await app.gqlAny(
      ChangePassword,
      { current: user.password, next: NEW_PASSWORD },
      bearer(session.accessToken),
    );
    expect(changed.data?.changePassword).toBe(true);
    const notice = await mailTo(app, user.email, 'Your password was changed');
    expect(notice?.text).not.toContain(NEW_PASSWORD);
  });
});

describe('second factors turned off', () => {
  it('tells the owner by email', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'mfa-phone');
    const { recoveryCodes } = await enrolTotp(app, clock, session.accessToken);
    const off = await app.gql(
      DisableMfaDoc,
      { password: user.password, code: recoveryCodes[0] },
      bearer(session.accessToken),
    );
    expect(off.data?.disableMfa).toBe(true);
    const notice = await mailTo(app, user.email, 'Two-step sign-in was turned off');
    expect(notice?.text).toContain('turned off');
    expect(notice?.text).not.toContain(recoveryCodes[0]);
  });
});

describe('signing up', () => {
  it('mails a verification link, and no new-device notice for the device that signed up', async () => {
    const input = { ...aRegistration(), deviceId: 'signup-phone' };
    const res = await app.gqlAny(
      parse('mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken } }'),
      { input },
    );
    expect(res.errors).toBeUndefined();
    expect(await mailTo(app, input.email, 'Confirm your email address')).toBeDefined();
    await login(input.email, input.password, 'signup-phone');
    await login(input.email, input.password, 'second-laptop');
    const subjects = (await mailsTo(app, input.email, { count: 2 })).map((m) => m.subject);
    expect(subjects.filter((s) => s === 'A sign-in from a new device')).toHaveLength(1);
  });
});

describe('REQUIRE_VERIFIED_EMAIL', () => {
  it('refuses the right password on an unverified address, and says so to nobody else', async () => {
    const strict = await startTestApp({ env: { REQUIRE_VERIFIED_EMAIL: 'true' } });
    try {
      const user = await aUser(strict);
      const first = linkToken(await mailTo(strict, user.email, 'Confirm your email address'));
      const signInStrict = (identifier: string, password: string) =>
        loginOutcome(strict.gql(LoginDoc, { input: { identifier, password, deviceId: 'd' } }));
      expect(await signInStrict(user.email, 'not the password')).toBe('INVALID_CREDENTIALS');
      expect(await signInStrict('nobody.at.all@example.com', user.password)).toBe('INVALID_CREDENTIALS');
      expect(await signInStrict(user.email, user.password)).toBe('FORBIDDEN');
      // The refusal sent a new link, which replaced the one sent at registration. (Mails are
      // worked in batches, so the outbox does not promise the order they were sent in.)
      const links = (await mailsTo(strict, user.email, { count: 2 }))
        .filter((m) => m.subject === 'Confirm your email address')
        .map(linkToken);
      expect(links).toHaveLength(2);
      const renewed = links.find((token) => token !== first) as string;
      expect(errorCode(await strict.gqlAny(VerifyEmail, { token: first }))).toBe('BAD_USER_INPUT');
      expect((await strict.gqlAny(VerifyEmail, { token: renewed })).data?.verifyEmail).toBe(true);
      expect(await signInStrict(user.email, user.password)).toBe('AuthPayload');
    } finally {
      await strict.close();
    }
  });
});
