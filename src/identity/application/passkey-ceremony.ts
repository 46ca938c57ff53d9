import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import { Passkey } from '../domain/passkey.entity.js';
import { type PasskeyCeremony, PasskeyChallenge } from '../domain/passkey-challenge.entity.js';
import { User } from '../domain/user.entity.js';

/**
 * The WebAuthn user handle of an account: the 16 bytes of its id. Authenticators keep one
 * discoverable credential per (relying party, user handle), and give it back at sign-in.
 */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));

/** Records a challenge the service hands out, in the caller's unit of work. */
export async function issuePasskeyChallenge(
  em: EntityManager,
  clock: Clock,
  challenge: { value: string; ceremony: PasskeyCeremony; userId?: string; mfaChallengeId?: string },
): Promise<void> {
  em.persist(
    new PasskeyChallenge({
      challenge: challenge.value,
      ceremony: challenge.ceremony,
      user: challenge.userId ? ref(User, challenge.userId) : undefined,
      mfaChallengeId: challenge.mfaChallengeId,
      now: clock.now(),
    }),
  );
  await em.flush();
}

/** The passkeys of an account, oldest first. */
export const passkeysOf = (em: EntityManager, userId: string): Promise<Passkey[]> =>
  em.find(Passkey, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
