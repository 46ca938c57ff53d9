import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { WebAuthn } from '../../../adapters/webauthn/webauthn.js';
import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { badInput, forbidden } from '../../../kernel/errors.js';
import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import { Passkey } from '../../domain/passkey.entity.js';
import { PasskeyCeremony } from '../../domain/passkey-challenge.entity.js';
import { User } from '../../domain/user.entity.js';
import { takePasskeyChallengeNow } from '../../persistence/passkey-challenges.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import { CounterMoved, type PasskeyAssertion, readAssertion } from '../passkey-assertion.js';
import { issuePasskeyChallenge, passkeysOf } from '../passkey-ceremony.js';
import type { RequestContext } from '../request-context.js';
import type { AttemptBudget, SignIn, SignInOutcome } from '../sign-in.js';

export interface FinishPasskeyLoginInput {
  response: unknown;
  deviceId: string;
  deviceName?: string | null;
  deviceTrustToken?: string | null;
}

/**
 * Starts signing in with a passkey: request options for navigator.credentials.get. Without a
 * challenge token, for any discoverable passkey of this service (the account is learnt from the
 * passkey); with the token of an MFA challenge, for that account's passkeys as its second factor.
 */
export function createBeginPasskeyLogin(deps: {
  clock: Clock;
  webauthn: WebAuthn;
  limits: RateLimits;
  challenges: MfaChallenges;
}) {
  return async function beginPasskeyLogin(
    ctx: RequestContext,
    challengeToken?: string | null,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { em, meta } = ctx;
    await deps.limits.passkeyOptions(meta.ip);
    if (!challengeToken) {
      const options = await deps.webauthn.authenticationOptions();
      await issuePasskeyChallenge(em, deps.clock, {
        value: options.challenge,
        ceremony: PasskeyCeremony.SIGN_IN,
      });
      return options;
    }
    const record = await deps.challenges.open(em, challengeToken);
    const passkeys = await passkeysOf(em, record.user.id);
    if (passkeys.length === 0) throw badInput('challengeToken', 'This account has no passkey');
    const options = await deps.webauthn.authenticationOptions(passkeys);
    await issuePasskeyChallenge(em, deps.clock, {
      value: options.challenge,
      ceremony: PasskeyCeremony.SECOND_FACTOR,
      userId: record.user.id,
      mfaChallengeId: record.id,
    });
    return options;
  };
}

/**
 * Finishes signing in with a passkey, no username asked: the account is the passkey's. The
 * assertion must answer a live sign-in challenge (spent by this call, whatever the outcome),
 * verify against the stored public key for PUBLIC_WEB_URL's origin and RP id with user
 * verification, and carry a signature counter that moved on (unless the authenticator keeps
 * none). Every failure is INVALID_CREDENTIALS and audited.
 *
 * It goes through the same steps as a password: the per-(address, credential) and address rate
 * limits, the account's lockout tries (or a trusted device's own), refusing accounts that cannot
 * sign in, and the same completion (device session, trust token, audit). A passkey with user
 * verification is two factors in itself (the device, and the PIN or biometric that unlocks it),
 * so it completes the sign-in without an MFA challenge even when the account has MFA on. With
 * REQUIRE_VERIFIED_EMAIL, the right passkey on an unverified address is FORBIDDEN (audited), as
 * for the password and the wallet.
 */
export function createFinishPasskeyLogin(deps: {
  clock: Clock;
  limits: RateLimits;
  deviceTrust: DeviceTrustService;
  assertion: PasskeyAssertion;
  signIn: SignIn;
  /** Sign-in needs a verified address (REQUIRE_VERIFIED_EMAIL). */
  requireVerifiedEmail: boolean;
}) {
  return async function finishPasskeyLogin(
    ctx: RequestContext,
    input: FinishPasskeyLoginInput,
  ): Promise<SignInOutcome> {
    const { em, meta } = ctx;
    const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
    const assertion = readAssertion(input.response);
    // The credential is the identifier here: 5 a minute per (address, credential) by default.
    await deps.limits.loginAttempt(meta.ip, `passkey:${assertion.response.id}`);
    const fail = (reason: string, userId?: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(
        ctx,
        [
          {
            type: 'login.failed',
            subjectId: userId,
            data: { reason, method: 'passkey', deviceId: device.id },
          },
          ...extra,
        ],
        { chargeAddress: true },
      );
    const taken = await takePasskeyChallengeNow(em, {
      value: assertion.challenge,
      ceremony: PasskeyCeremony.SIGN_IN,
      now: deps.clock.now(),
    });
    const passkey = await em.findOne(Passkey, { credentialId: assertion.response.id });
    if (!taken || !passkey) {
      await deps.limits.addressFailureCap(meta.ip);
      return fail(taken ? 'passkey_unknown' : 'passkey_challenge_unknown', passkey?.user.id);
    }
    const userId = passkey.user.id;
    const trust = await deps.deviceTrust.find(em, input.deviceTrustToken, userId, device.id);
    // A device that proves earlier trust is not refused by a cap that strangers at its address filled.
    if (!trust) await deps.limits.addressFailureCap(meta.ip);
    const budget: AttemptBudget = trust ? { kind: 'device', trust } : { kind: 'account' };
    const attempt = await deps.signIn.reserveTry(em, userId, budget);
    if (!attempt) return fail(trust ? 'trusted_device_exhausted' : 'locked_out', userId);

    return deps.signIn.settleAfter(attempt, async () => {
      const verified = await deps.assertion.verify(passkey, assertion, attempt, (reason, extra) =>
        fail(reason, userId, extra),
      );
      const user = await em.findOneOrFail(User, userId, { refresh: true });
      if (!user.canAuthenticate) {
        // The passkey was right: not a guess, so the try goes back.
        await attempt.release();
        return fail(`account_${user.status.toLowerCase()}`, userId);
      }
      if (deps.requireVerifiedEmail && !user.emailVerified) {
        // Said only to the holder of the passkey, so it reveals nothing to anyone else.
        await attempt.release();
        await deps.signIn
          .fail(ctx, [
            {
              type: 'login.failed',
              subjectId: userId,
              data: { reason: 'email_unverified', method: 'passkey', deviceId: device.id },
            },
          ])
          .catch(() => undefined);
        throw forbidden('Confirm your email address to sign in: follow the link sent to it');
      }
      const now = deps.clock.now();
      return deps.signIn
        .complete(ctx, userId, {
          device,
          via: trust ? 'trusted_device' : 'passkey',
          events: [
            { type: 'passkey.used', subjectId: userId, data: { passkeyId: passkey.id, purpose: 'sign_in' } },
          ],
          within: (tx) => deps.assertion.recordUse(tx, passkey, verified, now),
          try: attempt,
        })
        .catch((err: unknown) =>
          err instanceof CounterMoved ? fail('passkey_counter_raced', userId) : Promise.reject(err),
        );
    });
  };
}
