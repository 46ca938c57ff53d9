import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTokenError, type SignedTokens } from '../../adapters/tokens/signed-tokens.js';
import type { Clock } from '../../kernel/clock.js';
import { UnauthenticatedReason, unauthenticated } from '../../kernel/errors.js';
import { MfaMethod } from '../domain/enums.js';
import { MfaChallengeRecord } from '../domain/mfa.entities.js';
import { Passkey } from '../domain/passkey.entity.js';
import type { User } from '../domain/user.entity.js';
import { reserveChallengeTryNow } from '../persistence/challenge-counter.js';

export const MFA_CHALLENGE_TYP = 'mfa-challenge+jwt';
export const MFA_CHALLENGE_TTL_SECONDS = 300;
export const MFA_CHALLENGE_MAX_FAILURES = 5;

const invalidChallenge = () =>
  unauthenticated('MFA challenge is invalid or expired', UnauthenticatedReason.TOKEN_INVALID);

/**
 * MFA challenges: a signed token (its own `typ` and audience, so it is never
 * an access token) naming a server-side record that binds user and device and
 * counts wrong codes.
 */
export function createMfaChallenges(deps: { tokens: SignedTokens; clock: Clock; issuer: string }) {
  const audience = `${deps.issuer}#mfa`;

  return {
    async issue(
      em: EntityManager,
      user: User,
      device: { id: string; name?: string },
      viaTrustedDevice: boolean,
    ) {
      const { token, jti, expiresAt } = await deps.tokens.sign({
        typ: MFA_CHALLENGE_TYP,
        audience,
        subject: user.id,
        ttlSeconds: MFA_CHALLENGE_TTL_SECONDS,
        claims: { did: device.id },
      });
      em.persist(
        new MfaChallengeRecord({
          id: jti,
          user: ref(user),
          deviceId: device.id,
          deviceName: device.name,
          viaTrustedDevice,
          expiresAt,
        }),
      );
      await em.flush();
      // A passkey of the account answers the challenge too (finishPasskeyLogin with the token).
      const passkey = (await em.count(Passkey, { user: user.id })) > 0 ? [MfaMethod.PASSKEY] : [];
      return { challengeToken: token, expiresAt, methods: [...user.mfaMethods, ...passkey] };
    },

    /** The live record behind a challenge token; UNAUTHENTICATED when the token or the record is not usable. */
    async open(em: EntityManager, token: string): Promise<MfaChallengeRecord> {
      let claims: Awaited<ReturnType<SignedTokens['verify']>>;
      try {
        claims = await deps.tokens.verify(token, {
          typ: MFA_CHALLENGE_TYP,
          audience,
          requiredClaims: ['did'],
        });
      } catch (err) {
        if (err instanceof InvalidTokenError) throw invalidChallenge();
        throw err;
      }
      const record = await em.findOne(MfaChallengeRecord, {
        id: claims.jti,
        user: claims.sub,
        deviceId: claims.did as string,
      });
      if (!record || record.usedAt || record.expiresAt <= deps.clock.now()) throw invalidChallenge();
      return record;
    },

    /**
     * Marks the challenge used, inside the transaction that completes its sign-in: a conditional
     * UPDATE, so that of two answers completing at once only one gets through, the other refused
     * as a used challenge is.
     */
    async consume(tx: EntityManager, record: MfaChallengeRecord): Promise<void> {
      const spent = await tx.nativeUpdate(
        MfaChallengeRecord,
        { id: record.id, usedAt: null },
        { usedAt: deps.clock.now() },
      );
      if (spent !== 1) throw invalidChallenge();
    },

    /** Takes one of the challenge's tries, committed at once; false once five wrong codes were spent or it was used. */
    reserveTryNow: (em: EntityManager, record: MfaChallengeRecord): Promise<boolean> =>
      reserveChallengeTryNow(em, record.id, deps.clock.now(), MFA_CHALLENGE_MAX_FAILURES),
  };
}

export type MfaChallenges = ReturnType<typeof createMfaChallenges>;
