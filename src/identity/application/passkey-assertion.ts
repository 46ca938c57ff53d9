import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  challengeOf,
  parseAuthenticationResponse,
  toBase64Url,
  type WebAuthn,
  WebAuthnRejected,
} from '../../adapters/webauthn/webauthn.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { Passkey } from '../domain/passkey.entity.js';
import { userHandleOf } from './passkey-ceremony.js';
import type { SignInTry } from './sign-in.js';

/** A passkey assertion as the client sent it, and the challenge it claims to answer (not yet verified). */
export interface Assertion {
  response: AuthenticationResponseJSON;
  challenge: string;
}

/** Reads an assertion: BAD_USER_INPUT on `response` when it is not one. */
export function readAssertion(value: unknown): Assertion {
  const response = parseAuthenticationResponse(value);
  return { response, challenge: challengeOf(response) };
}

/** Thrown inside the completing transaction when another use of the passkey moved its counter first. */
export class CounterMoved extends Error {}

/**
 * The steps a passkey sign-in and a passkey second factor share once the passkey is known:
 * verifying the assertion and judging its counter, then, inside the completing transaction,
 * moving the counter on and stamping the use.
 */
export function createPasskeyAssertion(deps: { webauthn: WebAuthn }) {
  return {
    /**
     * Verifies the assertion against the passkey for PUBLIC_WEB_URL's origin and RP id, with user
     * verification, checks the user handle (when the authenticator returned one) and the
     * signature counter. A refusal settles the try (a bad assertion counts as a wrong secret; a
     * counter that went back gives the try back) and ends the attempt through `fail`.
     */
    async verify(
      passkey: Passkey,
      assertion: Assertion,
      attempt: SignInTry,
      fail: (reason: string, extra?: DomainEvent[]) => Promise<never>,
    ): Promise<{ counter: number; backedUp: boolean }> {
      const userId = passkey.user.id;
      let verified: Awaited<ReturnType<WebAuthn['verifyAuthentication']>>;
      try {
        verified = await deps.webauthn.verifyAuthentication(assertion.response, assertion.challenge, passkey);
      } catch (err) {
        if (err instanceof WebAuthnRejected)
          return fail(`passkey_${err.reason}`, await attempt.wrongSecret());
        throw err;
      }
      const handle = assertion.response.response.userHandle;
      if (handle && handle !== toBase64Url(userHandleOf(userId)))
        return fail('passkey_user_mismatch', await attempt.wrongSecret());
      if (!passkey.acceptsCounter(verified.counter)) {
        // A genuine signature whose counter did not move on: possibly a cloned authenticator.
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
    },

    /**
     * Within the completing transaction: the counter moves on, only from the value read (so two
     * uses racing with one counter cannot both win: the loser throws CounterMoved), and the
     * last use is stamped.
     */
    async recordUse(
      tx: EntityManager,
      passkey: Passkey,
      verified: { counter: number; backedUp: boolean },
      now: Date,
    ): Promise<void> {
      const moved = await tx.nativeUpdate(
        Passkey,
        { id: passkey.id, counter: passkey.counter },
        { counter: verified.counter, backedUp: verified.backedUp, lastUsedAt: now },
      );
      if (moved !== 1) throw new CounterMoved();
    },
  };
}

export type PasskeyAssertion = ReturnType<typeof createPasskeyAssertion>;
