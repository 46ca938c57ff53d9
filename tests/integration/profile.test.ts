import { totpCode } from '../../src/identity/domain/one-time-codes';
import { Session } from '../../src/identity/domain/session.entity';
import { User } from '../../src/identity/domain/user.entity';
import { testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { aRegistration, aUser, signIn } from '../support/factories';
import { enrolTotp } from '../support/mfa';
import {
  BeginTotpDoc,
  ChangePasswordDoc,
  DeleteAccountDoc,
  DisableMfaDoc,
  LoginDoc,
  MeDoc,
  RegisterDoc,
  UpdateProfileDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('updateProfile', () => {
  it('changes username, phone and wallet with the registration rules, and null removes', async () => {
    const user = await aUser(app);
    const { accessToken } = await signIn(app, user);
    const auth = bearer(accessToken);
    const res = await app.gql(
      UpdateProfileDoc,
      {
        input: {
          username: `${user.username}x`,
          phone: '+264 61 234 5678',
          walletAddress: '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359',
          walletBlockchain: 'ETHEREUM',
        },
      },
      auth,
    );
    expect(res.data?.updateProfile).toMatchObject({
      username: `${user.username}x`,
      phone: '+264612345678',
      wallet: { address: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', blockchain: 'ETHEREUM' },
    });
    const cleared = await app.gql(UpdateProfileDoc, { input: { phone: null, walletAddress: null } }, auth);
    expect(cleared.data?.updateProfile).toMatchObject({
      username: `${user.username}x`,
      phone: null,
      wallet: null,
    });
  });

  it('refuses bad values and taken usernames or wallets', async () => {
    const other = await aUser(app, {
      walletAddress: '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
      walletBlockchain: 'ETHEREUM',
    });
    const { accessToken } = await signIn(app, await aUser(app));
    const auth = bearer(accessToken);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ input: { phone: '0812' } }, 'BAD_USER_INPUT', 'phone'],
      [{ input: { username: 'a b' } }, 'BAD_USER_INPUT', 'username'],
      [{ input: { username: other.username.toUpperCase() } }, 'CONFLICT', 'username'],
      [
        {
          input: {
            walletAddress: '0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb',
            walletBlockchain: 'ETHEREUM',
          },
        },
        'CONFLICT',
        'walletAddress',
      ],
      [
        { input: { walletAddress: 'So11111111111111111111111111111111111111112' } },
        'BAD_USER_INPUT',
        'walletBlockchain',
      ],
    ];
    for (const [variables, expectedCode, field] of cases) {
      const res = await app.gqlAny(UpdateProfileDoc, variables, auth);
      expect(res.errors?.[0].extensions).toMatchObject({ code: expectedCode, field });
    }
  });

  it('needs an access token', async () => {
    expect(errorCode(await app.gql(UpdateProfileDoc, { input: { phone: null } }))).toBe('UNAUTHENTICATED');
  });
});

describe('changePassword', () => {
  it('needs the current password, applies the policy, and signs out the other devices only', async () => {
    const user = await aUser(app);
    const phone = await signIn(app, user, 'phone');
    const laptop = await signIn(app, user, 'laptop');
    const auth = bearer(phone.accessToken);
    const wrong = await app.gql(
      ChangePasswordDoc,
      { currentPassword: 'not it at all', newPassword: 'a fresh long passphrase' },
      auth,
    );
    expect(wrong.errors?.[0].extensions.code).toBe('INVALID_CREDENTIALS');
    const weak = await app.gql(
      ChangePasswordDoc,
      { currentPassword: user.password, newPassword: 'password1234' },
      auth,
    );
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect(errorCode(await app.gql(MeDoc, undefined, bearer(laptop.accessToken)))).toBeUndefined();

    const ok = await app.gql(
      ChangePasswordDoc,
      { currentPassword: user.password, newPassword: 'a fresh long passphrase' },
      auth,
    );
    expect(ok.data?.changePassword).toBe(true);
    expect(errorCode(await app.gql(MeDoc, undefined, bearer(laptop.accessToken)))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(MeDoc, undefined, auth))).toBeUndefined();
    const oldLogin = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: user.password, deviceId: 'x' },
    });
    expect(errorCode(oldLogin)).toBe('INVALID_CREDENTIALS');
    const fresh = await signIn(app, { email: user.email, password: 'a fresh long passphrase' }, 'fresh');
    expect(fresh.user.id).toBe(user.id);
    expect(fresh.session.deviceId).toBe('fresh');
  });
});

describe('deleteAccount', () => {
  it('erases personal data, ends every session, never signs in again, and frees the email', async () => {
    const user = await aUser(app, {
      phone: '0812345678',
      walletAddress: 'So11111111111111111111111111111111111111112',
      walletBlockchain: 'SOLANA',
    });
    const phone = await signIn(app, user, 'phone');
    const laptop = await signIn(app, user, 'laptop');
    const wrong = await app.gql(
      DeleteAccountDoc,
      { password: 'not the password' },
      bearer(phone.accessToken),
    );
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');

    const res = await app.gql(DeleteAccountDoc, { password: user.password }, bearer(phone.accessToken));
    expect(res.data?.deleteAccount).toBe(true);
    for (const s of [phone, laptop])
      expect(errorCode(await app.gql(MeDoc, undefined, bearer(s.accessToken)))).toBe('UNAUTHENTICATED');

    const row = await app.orm.em.fork().findOneOrFail(User, user.id, { populate: ['passwordHash'] });
    expect(row).toMatchObject({
      status: 'DELETED',
      phone: undefined,
      walletAddress: undefined,
      mfaEnabled: false,
    });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(row.email).not.toContain(user.email.split('@')[0]);
    expect(row.username).not.toContain(user.username);
    expect(await app.orm.em.fork().count(Session, { user: user.id, revokedAt: null })).toBe(0);

    for (const identifier of [user.email, user.username, row.email, row.username]) {
      const login = await app.gql(LoginDoc, {
        input: { identifier, password: user.password, deviceId: 'again' },
      });
      expect(errorCode(login)).toBe('INVALID_CREDENTIALS');
    }
    const reuse = await app.gql(RegisterDoc, {
      input: aRegistration({ email: user.email, username: user.username }),
    });
    expect(reuse.data?.register.email).toBe(user.email);
  });
});

describe('me', () => {
  it('answers from one statement that reads none of the secret columns', async () => {
    const clock = testClock();
    const statements: string[] = [];
    const counted = await startTestApp({
      clock,
      env: { WORKER: 'off' },
      onQuery: (sql) => statements.push(sql),
    });
    try {
      const user = await aUser(counted);
      const login = await signIn(counted, user);
      await enrolTotp(counted, clock, login.accessToken);
      statements.length = 0;
      const res = await counted.gql(MeDoc, undefined, bearer(login.accessToken));
      expect(res.data?.me).toMatchObject({
        id: user.id,
        email: user.email,
        mfaEnabled: true,
        mfaMethods: ['TOTP'],
      });
      expect(statements).toHaveLength(1);
      expect(statements[0]).not.toMatch(/\*|password_hash|mfa_secret|totp_pending_secret/);
    } finally {
      await counted.close();
    }
  });
});

describe('secrets cleared by deleteAccount and disableMfa', () => {
  it('writes NULL to every TOTP secret column, pending enrolment included', async () => {
    const clock = testClock();
    const own = await startTestApp({ clock });
    const secretsOf = async (id: string) =>
      (
        await own.orm.em
          .getConnection()
          .execute('select mfa_secret, totp_pending_secret from users where id = ?', [id])
      )[0];
    try {
      // Disabling MFA with a second enrolment started but not confirmed.
      const disabling = await aUser(own);
      const first = await signIn(own, disabling);
      const { secret } = await enrolTotp(own, clock, first.accessToken);
      const session = first.accessToken;
      await own.gql(BeginTotpDoc, {}, bearer(session));
      expect(await secretsOf(disabling.id)).toMatchObject({ mfa_secret: expect.any(String) });
      const off = await own.gql(
        DisableMfaDoc,
        { password: disabling.password, code: totpCode(secret, clock.now()) },
        bearer(session),
      );
      expect(off.data?.disableMfa).toBe(true);
      expect(await secretsOf(disabling.id)).toEqual({ mfa_secret: null, totp_pending_secret: null });

      // Deleting an account with an enrolment started.
      const deleting = await aUser(own);
      const login = await signIn(own, deleting);
      await own.gql(BeginTotpDoc, {}, bearer(login.accessToken));
      expect((await secretsOf(deleting.id)).totp_pending_secret).toEqual(expect.any(String));
      const gone = await own.gql(
        DeleteAccountDoc,
        { password: deleting.password },
        bearer(login.accessToken),
      );
      expect(gone.data?.deleteAccount).toBe(true);
      expect(await secretsOf(deleting.id)).toEqual({ mfa_secret: null, totp_pending_secret: null });
    } finally {
      await own.close();
    }
  });
});
