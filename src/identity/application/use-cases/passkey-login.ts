import type { EntityManager } from '@mikro-orm/postgresql';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import {
  challengeOf,
  parseAuthenticationResponse,
  type WebAuthn,
  WebAuthnRejected,
} from '../../../adapters/webauthn/webauthn.js';
import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { badInput } from '../../../kernel/errors.js';
import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import { MfaChallengeRecord } from '../../domain/mfa.entities.js';
import { Passkey } from '../../domain/passkey.entity.js';
import { PasskeyCeremony } from '../../domain/passkey-challenge.entity.js';
import { User } from '../../domain/user.entity.js';
import { takePasskeyChallengeNow } from '../../persistence/passkey-challenges.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import { issuePasskeyChallenge, passkeysOf, userHandleOf } from '../passkey-ceremony.js';
import type { RequestContext } from '../request-context.js';
import type { AttemptBudget, SignIn, SignInDevice, SignInOutcome, SignInTry } from '../sign-in.js';

export interface FinishPasskeyLoginInput {
  response: unknown;
  deviceId: string;
  deviceName?: string | null;
  /** An MFA challenge from a password sign-in, answered with one of that account's passkeys. */
  challengeToken?: string | null;
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

/** Thrown inside the completing transaction when another use of the passkey moved its counter first. */
class CounterMoved extends Error {}

/**
 * Finishes signing in with a passkey. The response must answer a live challenge of the right
 * ceremony (spent by this call, whatever the outcome), verify against the stored public key for
 * PUBLIC_WEB_URL's origin and RP id with user verification, and carry a signature counter that
 * moved on (unless the authenticator keeps none). Every failure is INVALID_CREDENTIALS and audited.
 *
 * A passkey sign-in goes through the same steps as a password: the address and per-credential
 * rate limits, the account's lockout budget (or a trusted device's own), refusing accounts that
 * cannot sign in, and the same completion (device session, trust token, audit). A passkey with
 * user verification is itself two factors (the device, and the PIN or biometric that unlocks it),
 * so it completes the sign-in without an MFA challenge even when the account has MFA on.
 */
export function createFinishPasskeyLogin(deps: {
  clock: Clock;
  webauthn: WebAuthn;
  limits: RateLimits;
  challenges: MfaChallenges;
  deviceTrust: DeviceTrustService;
  signIn: SignIn;
}) {
  /**
   * Verifies the response against the passkey and judges its counter. On a refusal the try is
   * counted and the attempt fails through `fail`; otherwise returns what the completion records.
   */
  async function verify(
    passkey: Passkey,
    response: ReturnType<typeof parseAuthenticationResponse>,
    challenge: string,
    attempt: SignInTry,
    fail: (reason: string, extra?: DomainEvent[]) => Promise<never>,
  ) {
    const userId = passkey.user.id;
    let verified: Awaited<ReturnType<WebAuthn['verifyAuthentication']>>;
    try {
      verified = await deps.webauthn.verifyAuthentication(response, challenge, passkey);
    } catch (err) {
      if (err instanceof WebAuthnRejected) return fail(`passkey_${err.reason}`, await attempt.wrongSecret());
      throw err;
    }
    const handle = response.response.userHandle;
    if (handle && handle !== isoBase64URL.fromBuffer(userHandleOf(userId)))
      return fail('passkey_user_mismatch', await attempt.wrongSecret());
    if (!passkey.acceptsCounter(verified.counter)) {
      // A genuine signature whose counter went back: possibly a cloned authenticator.
      await attempt.release();
      return fail('passkey_counter_regressed', [
        {
          type: 'passkey.counter_rejected',
          subjectId: userId,
          data: { passkeyId: passkey.id, stored: passkey.counter, reported: verified.counter },
        },
      ]);
    }
    return verified;
  }

  /** Within the completing transaction: the counter moves on (only from the value read) and the use is stamped. */
  const recordUse =
    (passkey: Passkey, verified: { counter: number; backedUp: boolean }, now: Date) =>
    async (tx: EntityManager) => {
      const moved = await tx.nativeUpdate(
        Passkey,
        { id: passkey.id, counter: passkey.counter },
        { counter: verified.counter, backedUp: verified.backedUp, lastUsedAt: now },
      );
      if (moved !== 1) throw new CounterMoved();
    };

  async function usernameless(
    ctx: RequestContext,
    input: FinishPasskeyLoginInput,
    response: ReturnType<typeof parseAuthenticationResponse>,
    challenge: string,
    device: SignInDevice,
  ): Promise<SignInOutcome> {
    const { em, meta } = ctx;
    // The credential is the identifier here: 5 a minute per (address, credential) by default.
    await deps.limits.loginAttempt(meta.ip, `passkey:${response.id}`);
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
      value: challenge,
      ceremony: PasskeyCeremony.SIGN_IN,
      now: deps.clock.now(),
    });
    const passkey = await em.findOne(Passkey, { credentialId: response.id });
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
      const verified = await verify(passkey, response, challenge, attempt, (reason, extra) =>
        fail(reason, userId, extra),
      );
      const user = await em.findOneOrFail(User, userId, { refresh: true });
      if (!user.canAuthenticate) {
        // The passkey was right: not a guess, so the try goes back.
        await attempt.release();
        return fail(`account_${user.status.toLowerCase()}`, userId);
      }
      const now = deps.clock.now();
      return deps.signIn
        .complete(ctx, userId, {
          device,
          via: trust ? 'trusted_device' : 'passkey',
          events: [
            { type: 'passkey.used', subjectId: userId, data: { passkeyId: passkey.id, purpose: 'sign_in' } },
          ],
          within: recordUse(passkey, verified, now),
          try: attempt,
        })
        .catch((err: unknown) =>
          err instanceof CounterMoved ? fail('passkey_counter_raced', userId) : Promise.reject(err),
        );
    });
  }

  async function secondFactor(
    ctx: RequestContext,
    challengeToken: string,
    response: ReturnType<typeof parseAuthenticationResponse>,
    challenge: string,
    device: SignInDevice,
  ): Promise<SignInOutcome> {
    const { em } = ctx;
    const record = await deps.challenges.open(em, challengeToken);
    if (record.deviceId !== device.id)
      throw badInput('deviceId', 'This MFA challenge was issued to another device');
    const userId = record.user.id;
    const fail = (reason: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(ctx, [
        { type: 'mfa.failed', subjectId: userId, data: { reason, factor: 'PASSKEY' } },
        ...extra,
      ]);
    const taken = await takePasskeyChallengeNow(em, {
      value: challenge,
      ceremony: PasskeyCeremony.SECOND_FACTOR,
      userId,
      mfaChallengeId: record.id,
      now: deps.clock.now(),
    });
    // Every answer spends one of the MFA challenge's five tries, a replayed one included.
    if (!(await deps.challenges.reserveTryNow(em, record))) return fail('challenge_exhausted');
    const budget: AttemptBudget = record.viaTrustedDevice ? { kind: 'none' } : { kind: 'account' };
    const attempt = await deps.signIn.reserveTry(em, userId, budget);
    if (!attempt) return fail('locked_out');
    return deps.signIn.settleAfter(attempt, async () => {
      if (!taken) return fail('passkey_challenge_unknown', await attempt.wrongSecret());
      const passkey = await em.findOne(Passkey, { credentialId: response.id, user: userId });
      if (!passkey) return fail('passkey_unknown', await attempt.wrongSecret());
      const verified = await verify(passkey, response, challenge, attempt, fail);
      const user = await em.findOneOrFail(User, userId, { refresh: true });
      if (!user.canAuthenticate) {
        await attempt.release();
        return fail(`account_${user.status.toLowerCase()}`);
      }
      const now = deps.clock.now();
      return deps.signIn
        .complete(ctx, userId, {
          device: { id: record.deviceId, name: record.deviceName },
          via: record.viaTrustedDevice ? 'trusted_device' : 'mfa',
          events: [
            { type: 'mfa.passed', subjectId: userId, data: { factor: 'PASSKEY' } },
            {
              type: 'passkey.used',
              subjectId: userId,
              data: { passkeyId: passkey.id, purpose: 'second_factor' },
            },
          ],
          within: async (tx) => {
            (await tx.findOneOrFail(MfaChallengeRecord, record.id)).usedAt = now;
            await recordUse(passkey, verified, now)(tx);
          },
          try: attempt,
        })
        .catch((err: unknown) =>
          err instanceof CounterMoved ? fail('passkey_counter_raced') : Promise.reject(err),
        );
    });
  }

  return async function finishPasskeyLogin(
    ctx: RequestContext,
    input: FinishPasskeyLoginInput,
  ): Promise<SignInOutcome> {
    const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
    const response = parseAuthenticationResponse(input.response);
    const challenge = challengeOf(response);
    return input.challengeToken
      ? secondFactor(ctx, input.challengeToken, response, challenge, device)
      : usernameless(ctx, input, response, challenge, device);
  };
}
