import { ref } from '@mikro-orm/core';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import {
  challengeOf,
  parseRegistrationResponse,
  type WebAuthn,
  WebAuthnRejected,
} from '../../../adapters/webauthn/webauthn.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput, conflict, forbidden } from '../../../kernel/errors.js';
import { MAX_PASSKEYS_PER_USER, Passkey, parsePasskeyName } from '../../domain/passkey.entity.js';
import { PasskeyCeremony } from '../../domain/passkey-challenge.entity.js';
import { User } from '../../domain/user.entity.js';
import { lockAccountRow } from '../../persistence/account-lock.js';
import type { AuditTrail } from '../../persistence/audit-chain.js';
import { takePasskeyChallengeNow } from '../../persistence/passkey-challenges.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { issuePasskeyChallenge, passkeysOf, userHandleOf } from '../passkey-ceremony.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';

const tooMany = () =>
  forbidden(`An account holds at most ${MAX_PASSKEYS_PER_USER} passkeys: remove one before adding another`);

/**
 * Starts adding a passkey: the creation options for navigator.credentials.create, with a
 * challenge bound to the account. Needs a recent sign-in (or the password), like every factor change.
 */
export function createBeginPasskeyRegistration(deps: {
  clock: Clock;
  webauthn: WebAuthn;
  assertRecentAuth: AssertRecentAuth;
  limits: RateLimits;
}) {
  return async function beginPasskeyRegistration(
    ctx: RequestContext,
    password?: string | null,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    await deps.assertRecentAuth(ctx, password);
    // Each call holds a server-side challenge: the per-address budget of passkey options.
    await deps.limits.passkeyOptions(ctx.meta.ip);
    const user = await ctx.currentUser();
    const existing = await passkeysOf(ctx.em, user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
    const options = await deps.webauthn.registrationOptions({
      userHandle: userHandleOf(user.id),
      userName: user.username,
      exclude: existing,
    });
    await issuePasskeyChallenge(ctx.em, deps.clock, {
      value: options.challenge,
      ceremony: PasskeyCeremony.REGISTRATION,
      userId: user.id,
    });
    return options;
  };
}

/**
 * Finishes adding a passkey: the response must answer this account's registration challenge
 * (spent by this call, whatever the outcome), come from PUBLIC_WEB_URL's origin and RP id, and
 * show user verification. A response that does not verify is BAD_USER_INPUT on `response`,
 * audited with why.
 */
export function createFinishPasskeyRegistration(deps: {
  clock: Clock;
  webauthn: WebAuthn;
  inTransaction: InTransaction;
  audit: AuditTrail;
}) {
  return async function finishPasskeyRegistration(
    ctx: RequestContext,
    input: { response: unknown; name?: string | null },
  ): Promise<Passkey> {
    const { em, meta } = ctx;
    const principal = await ctx.principal();
    const userId = principal.userId;
    const name = parsePasskeyName(input.name);
    const response = parseRegistrationResponse(input.response);
    const challenge = challengeOf(response);
    const taken = await takePasskeyChallengeNow(em, {
      value: challenge,
      ceremony: PasskeyCeremony.REGISTRATION,
      userId,
      now: deps.clock.now(),
    });
    const refuse = async (reason: string, message: string): Promise<never> => {
      await deps.audit.appendNow(
        em,
        [{ type: 'passkey.registration_failed', subjectId: userId, data: { reason } }],
        { meta, actorId: userId },
      );
      throw badInput('response', message);
    };
    if (!taken)
      return refuse(
        'challenge_unknown',
        'The challenge is unknown, used or expired: start again with beginPasskeyRegistration',
      );
    let verified: Awaited<ReturnType<WebAuthn['verifyRegistration']>>;
    try {
      verified = await deps.webauthn.verifyRegistration(response, challenge);
    } catch (err) {
      if (err instanceof WebAuthnRejected)
        return refuse(err.reason, `The passkey could not be verified (${err.reason})`);
      throw err;
    }
    return deps.inTransaction(em, { meta, actorId: userId }, async (tx) => {
      // Parallel finishes for one account count one after another, never all below the limit.
      await lockAccountRow(tx, userId);
      if ((await tx.count(Passkey, { user: userId })) >= MAX_PASSKEYS_PER_USER) throw tooMany();
      if (await tx.findOne(Passkey, { credentialId: verified.credentialId }))
        throw conflict('response', 'This passkey is already registered');
      const passkey = new Passkey({
        user: ref(User, userId),
        ...verified,
        name,
        now: deps.clock.now(),
      });
      tx.persist(passkey);
      return passkey;
    });
  };
}
