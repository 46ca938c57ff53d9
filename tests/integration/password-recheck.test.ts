import { auditOf } from '../support/audit';
import { errorCode, loginOutcome } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import {
  BeginTotpDoc,
  ChangePasswordDoc,
  DeleteAccountDoc,
  DisableMfaDoc,
  LoginDoc,
  MeDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** The password re-check guard with its production budgets. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    env: {
      RATE_LIMIT_PASSWORD_CHECKS_PER_SESSION: '5',
      RATE_LIMIT_PASSWORD_CHECKS_PER_ACCOUNT: '10',
      PASSWORD_CHECK_FAILURES_PER_SESSION: '3',
    },
  });
});
afterAll(() => app.close());

const NEW_PASSWORD = 'a brand new passphrase 2026';
const changePassword = (token: string, currentPassword: string) =>
  app.gql(ChangePasswordDoc, { currentPassword, newPassword: NEW_PASSWORD }, bearer(token));

const userColumns = async (userId: string) => {
  const [row] = await app.orm.em
    .getConnection()
    .execute('select failed_login_attempts, locked_until from users where id = ?', [userId]);
  return row as { failed_login_attempts: number; locked_until: Date | null };
};

describe('every password re-check of a signed-in user goes through one guard', () => {
  it('stops a stolen access token guessing: 10 wrong guesses, then the right password does not go through', async () => {
    const user = await aUser(app);
    const stolen = await signIn(app, user, 'stolen-laptop');
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 10; i++)
      answers.push(errorCode(await changePassword(stolen.accessToken, `guess ${i}`)));
    // Three wrong passwords end the session; every later request with its token is refused.
    expect(answers.slice(0, 3)).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
    ]);
    expect(new Set(answers.slice(3))).toEqual(new Set(['UNAUTHENTICATED']));
    const right = await changePassword(stolen.accessToken, user.password);
    expect(right.data).toBeNull();
    expect(errorCode(right)).toBe('UNAUTHENTICATED');

    // The password did not change, and each wrong guess was audited and counted toward the lockout.
    expect(
      await loginOutcome(
        app.gql(LoginDoc, { input: { identifier: user.email, password: NEW_PASSWORD, deviceId: 'x' } }),
      ),
    ).toBe('INVALID_CREDENTIALS');
    const audit = await auditOf(app, user.id);
    expect(audit.filter((e) => e.type === 'password_check.failed')).toHaveLength(3);
    const revoked = audit.filter((e) => e.type === 'session.revoked').map((e) => JSON.parse(e.data).reason);
    expect(revoked).toContain('password_checks_failed');
  });

  it('counts wrong re-checks toward the account lockout', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'phone');
    for (let i = 0; i < 2; i++)
      expect(errorCode(await changePassword(session.accessToken, `nope ${i}`))).toBe('INVALID_CREDENTIALS');
    expect((await userColumns(user.id)).failed_login_attempts).toBe(2);
    for (let i = 0; i < 3; i++)
      expect(
        await loginOutcome(
          app.gql(LoginDoc, { input: { identifier: user.email, password: 'wrong again', deviceId: 'y' } }),
        ),
      ).toBe('INVALID_CREDENTIALS');
    // The fifth failure locked the account: even the right password is refused, in re-checks too.
    expect((await userColumns(user.id)).locked_until).not.toBeNull();
    expect(errorCode(await changePassword(session.accessToken, user.password))).toBe('INVALID_CREDENTIALS');
    // The session itself lives on: a lockout does not sign devices out.
    expect((await app.gql(MeDoc, undefined, bearer(session.accessToken))).data?.me.id).toBe(user.id);
  });

  it('gives the try back when the password is right', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'tablet');
    expect(errorCode(await changePassword(session.accessToken, 'wrong one'))).toBe('INVALID_CREDENTIALS');
    const right = await changePassword(session.accessToken, user.password);
    expect(right.errors).toBeUndefined();
    expect(right.data?.changePassword).toBe(true);
    expect((await userColumns(user.id)).failed_login_attempts).toBe(1);
  });

  it('rate limits re-checks per session', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'desktop');
    const begin = () => app.gql(BeginTotpDoc, { password: user.password }, bearer(session.accessToken));
    for (let i = 0; i < 5; i++) expect((await begin()).errors).toBeUndefined();
    expect(errorCode(await begin())).toBe('RATE_LIMITED');
  });

  it.each([
    ['deleteAccount', (token: string) => app.gql(DeleteAccountDoc, { password: 'not mine' }, bearer(token))],
    [
      'disableMfa',
      (token: string) => app.gql(DisableMfaDoc, { password: 'not mine', code: '123456' }, bearer(token)),
    ],
    [
      'beginTotpEnrollment',
      (token: string) => app.gql(BeginTotpDoc, { password: 'not mine' }, bearer(token)),
    ],
  ])('guards %s: a wrong password is refused and audited', async (_name, call) => {
    const user = await aUser(app);
    const session = await signIn(app, user, 'kiosk');
    expect(errorCode(await call(session.accessToken))).toBe('INVALID_CREDENTIALS');
    const audit = await auditOf(app, user.id);
    expect(audit.filter((e) => e.type === 'password_check.failed').map((e) => JSON.parse(e.data))).toEqual([
      { reason: 'bad_password', sessionId: session.session.id },
    ]);
  });
});
