import { type TestClock, testClock } from '../support/clock';
import { runOperatorCommand } from '../support/command';
import { errorCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { aNamibianPhone, challengeFor, lastSmsCode } from '../support/mfa';
import {
  EnableSmsMfaDoc,
  MeDoc,
  RequestPhoneVerificationDoc,
  SendMfaSmsCodeDoc,
  UpdateProfileDoc,
  VerifyMfaDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  // The default 30-second resend cooldown, waited out by moving the clock.
  app = await startTestApp({ clock, env: { SMS_PER_PHONE_PER_DAY: '1000' } });
});
afterAll(() => app.close());

/** Past the resend cooldown of 30 seconds. */
const afterCooldown = (c: TestClock) => c.advance(31);

async function userWithSms() {
  const phone = aNamibianPhone();
  const user = await aUser(app, { phone });
  const session = await signIn(app, user, 'enrol');
  expect(
    (await app.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken))).data
      ?.requestPhoneVerification,
  ).toBe(true);
  const res = await app.gql(
    EnableSmsMfaDoc,
    { code: await lastSmsCode(app, phone) },
    bearer(session.accessToken),
  );
  expect(res.data?.enableSmsMfa).toBe(true);
  afterCooldown(clock);
  return { user, phone, session };
}

describe('SMS as a second factor', () => {
  it('needs a phone, proves it with a code, and then lists SMS as a method', async () => {
    const noPhone = await signIn(app, await aUser(app));
    const res = await app.gql(RequestPhoneVerificationDoc, {}, bearer(noPhone.accessToken));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });

    const { session } = await userWithSms();
    const me = await app.gql(MeDoc, undefined, bearer(session.accessToken));
    expect(me.data?.me).toMatchObject({ mfaEnabled: true, mfaMethods: ['SMS'] });
  });

  it('refuses a wrong enrolment code and stores codes only hashed', async () => {
    const phone = aNamibianPhone();
    const user = await aUser(app, { phone });
    const session = await signIn(app, user);
    await app.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken));
    const code = await lastSmsCode(app, phone);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(errorCode(await app.gql(EnableSmsMfaDoc, { code: wrong }, bearer(session.accessToken)))).toBe(
      'INVALID_CREDENTIALS',
    );
    const rows = await app.orm.em
      .getConnection()
      .execute('select code_hash from one_time_codes where user_id = ?', [user.id]);
    expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('signs in with a code sent for the challenge, once', async () => {
    const { user, phone } = await userWithSms();
    const challenge = await challengeFor(app, user, 'phone-2');
    expect(challenge.methods).toEqual(['SMS']);
    expect(
      (await app.gql(SendMfaSmsCodeDoc, { challengeToken: challenge.challengeToken })).data?.sendMfaSmsCode,
    ).toBe(true);
    const code = await lastSmsCode(app, phone);
    const input = { challengeToken: challenge.challengeToken, code, method: 'SMS' as const };
    const ok = await app.gql(VerifyMfaDoc, { input });
    expect(ok.data?.verifyMfa.session.deviceId).toBe('phone-2');
    expect(errorCode(await app.gql(VerifyMfaDoc, { input }))).toBe('UNAUTHENTICATED'); // the challenge is used
    const other = await challengeFor(app, user);
    expect(
      errorCode(await app.gql(VerifyMfaDoc, { input: { ...input, challengeToken: other.challengeToken } })),
    ).toBe('INVALID_CREDENTIALS');
  });

  it('expires codes after five minutes', async () => {
    const phone = aNamibianPhone();
    const user = await aUser(app, { phone });
    const first = await signIn(app, user, 'first');
    await app.gql(RequestPhoneVerificationDoc, {}, bearer(first.accessToken));
    const code = await lastSmsCode(app, phone);
    clock.advance(301);
    const fresh = await signIn(app, user, 'fresh'); // a recent sign-in, so only the code's age matters
    expect(errorCode(await app.gql(EnableSmsMfaDoc, { code }, bearer(fresh.accessToken)))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('does not reset the failure count when a code is resent', async () => {
    const { user, phone } = await userWithSms();
    const { challengeToken } = await challengeFor(app, user);
    await app.gql(SendMfaSmsCodeDoc, { challengeToken });
    for (let i = 0; i < 4; i++) {
      expect(
        errorCode(await app.gql(VerifyMfaDoc, { input: { challengeToken, code: '999999', method: 'SMS' } })),
      ).toBe('INVALID_CREDENTIALS');
    }
    afterCooldown(clock);
    await app.gql(SendMfaSmsCodeDoc, { challengeToken });
    await app.gql(VerifyMfaDoc, { input: { challengeToken, code: '999999', method: 'SMS' } });
    const code = await lastSmsCode(app, phone);
    expect(errorCode(await app.gql(VerifyMfaDoc, { input: { challengeToken, code, method: 'SMS' } }))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('prints the development outbox with npm run sms:outbox', async () => {
    const phone = aNamibianPhone();
    const session = await signIn(app, await aUser(app, { phone }));
    await app.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken));
    // The code goes out through the sms job; the command runs once it has (it blocks this process).
    const code = await lastSmsCode(app, phone);
    const out = runOperatorCommand(app, 'sms-outbox', ['50']);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`${phone}  Your elcorp verification code is ${code}`);
  });

  it('keeps the phone fixed while SMS codes are on', async () => {
    const { session } = await userWithSms();
    const res = await app.gql(
      UpdateProfileDoc,
      { input: { phone: aNamibianPhone() } },
      bearer(session.accessToken),
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });
  });
});

describe('SMS sending limits', () => {
  it('enforces a 30 s resend cooldown per phone', async () => {
    const phone = aNamibianPhone();
    const session = await signIn(app, await aUser(app, { phone }));
    const send = () => app.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken));
    expect((await send()).data?.requestPhoneVerification).toBe(true);
    const again = await send();
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(again.errors?.[0].extensions.retryAfterSeconds).toBe(30);
    clock.advance(29);
    expect(errorCode(await send())).toBe('RATE_LIMITED');
    clock.advance(1);
    expect((await send()).data?.requestPhoneVerification).toBe(true);
  });

  it('caps messages per phone per day', async () => {
    const limitedClock = testClock();
    const limited = await startTestApp({ clock: limitedClock, env: { SMS_PER_PHONE_PER_DAY: '2' } });
    try {
      const phone = aNamibianPhone();
      const session = await signIn(limited, await aUser(limited, { phone }));
      const send = () => limited.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken));
      const first = await send();
      expect(first.errors).toBeUndefined();
      expect(first.data?.requestPhoneVerification).toBe(true);
      afterCooldown(limitedClock);
      expect((await send()).data?.requestPhoneVerification).toBe(true);
      afterCooldown(limitedClock);
      expect(errorCode(await send())).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});
