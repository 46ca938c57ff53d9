import { totpCode } from '../../src/identity/domain/one-time-codes';
import type { TestClock } from './clock';
import { recordSecretsIn } from './log-scan';
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

/**
 * Waits until every job of `queue` written so far has been worked (none is waiting, being
 * retried or in hand), polling until `timeoutMs`.
 */
export async function jobsSettled(app: TestApp, queue: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = await app.orm.em
      .getConnection()
      .execute(`select count(*)::int as n from pgboss.job where name = ? and state < 'completed'`, [queue]);
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} ${queue} job(s) still not worked after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The latest SMS "sent" to a phone by the development sender, and the code in it. SMS go out
 * through the job queue, so this first waits for the sms jobs written so far to be worked.
 */
export async function lastSmsCode(app: TestApp, phone: string, timeoutMs = 10_000): Promise<string> {
  await jobsSettled(app, 'sms', timeoutMs);
  const rows = await app.orm.em
    .getConnection()
    .execute('select body from sms_outbox where phone = ? order by created_at desc limit 1', [phone]);
  const code = /(\d{6})/.exec(rows[0]?.body ?? '')?.[1];
  if (!code) throw new Error(`no SMS for ${phone}`);
  recordSecretsIn({ code });
  return code;
}

let phoneCounter = 0;
/** A distinct valid Namibian mobile number. */
export const aNamibianPhone = () =>
  `+26481${String(1_000_000 + ((Date.now() + phoneCounter++ * 7919) % 8_999_999)).slice(-7)}`;
