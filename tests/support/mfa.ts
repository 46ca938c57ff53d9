import { totpCode } from '../../src/identity/domain/one-time-codes';
import type { TestClock } from './clock';
import { BeginTotpDoc, ConfirmTotpDoc, LoginDoc } from './operations';
import { bearer, type TestApp } from './test-app';

/** Enrols TOTP for a signed-in user; returns the secret and the recovery codes. */
export async function enrolTotp(app: TestApp, clock: TestClock, accessToken: string) {
  const begin = await app.gql(BeginTotpDoc, {}, bearer(accessToken));
  const secret = begin.data?.beginTotpEnrollment.secret as string;
  const confirm = await app.gql(ConfirmTotpDoc, { code: totpCode(secret, clock.now()) }, bearer(accessToken));
  const recoveryCodes = confirm.data?.confirmTotpEnrollment;
  if (!recoveryCodes) throw new Error(`TOTP enrolment failed: ${confirm.raw}`);
  clock.advance(30); // past the step used to confirm
  return { secret, recoveryCodes };
}

/** Signs in with the password and returns the MFA challenge. */
export async function challengeFor(
  app: TestApp,
  user: { email: string; password: string },
  deviceId = 'mfa-device',
) {
  const res = await app.gql(LoginDoc, {
    input: { identifier: user.email, password: user.password, deviceId },
  });
  const login = res.data?.login;
  if (login?.__typename !== 'MfaChallenge') throw new Error(`expected an MFA challenge: ${res.raw}`);
  return login;
}

/** The latest SMS "sent" to a phone by the development sender, and the code in it. */
export async function lastSmsCode(app: TestApp, phone: string): Promise<string> {
  const rows = await app.orm.em
    .getConnection()
    .execute('select body from sms_outbox where phone = ? order by created_at desc limit 1', [phone]);
  const code = /(\d{6})/.exec(rows[0]?.body ?? '')?.[1];
  if (!code) throw new Error(`no SMS for ${phone}`);
  return code;
}

let phoneCounter = 0;
/** A distinct valid Namibian mobile number. */
export const aNamibianPhone = () =>
  `+26481${String(1_000_000 + ((Date.now() + phoneCounter++ * 7919) % 8_999_999)).slice(-7)}`;
