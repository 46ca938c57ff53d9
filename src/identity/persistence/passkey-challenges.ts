import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasskeyCeremony } from '../domain/passkey-challenge.entity.js';
import { executeAndCommitNow } from './commit-now.js';

/**
 * Takes a WebAuthn challenge out of circulation: the one statement that finds it also deletes it,
 * committed at once, so a challenge is accepted once even under parallel use, and a response that
 * then fails to verify has still spent it. It must be unexpired, of the ceremony, and bound to the
 * account (and MFA challenge) given, if any. Returns whether it was there.
 */
export async function takePasskeyChallengeNow(
  em: EntityManager,
  challenge: {
    value: string;
    ceremony: PasskeyCeremony;
    userId?: string;
    mfaChallengeId?: string;
    now: Date;
  },
): Promise<boolean> {
  const rows = await executeAndCommitNow(
    em,
    `delete from passkey_challenges
      where challenge = ? and ceremony = ? and expires_at > ?
        and user_id is not distinct from ? and mfa_challenge_id is not distinct from ?
      returning id`,
    [
      challenge.value,
      challenge.ceremony,
      challenge.now,
      challenge.userId ?? null,
      challenge.mfaChallengeId ?? null,
    ],
  );
  return rows.length === 1;
}
