import type { EntityManager } from '@mikro-orm/postgresql';
import { executeAndCommitNow } from './commit-now.js';

/**
 * Takes one of an MFA challenge's tries, committed at once; false once `maxFailures` wrong codes
 * were spent, or the challenge was used or expired.
 */
export async function reserveChallengeTryNow(
  em: EntityManager,
  challengeId: string,
  now: Date,
  maxFailures: number,
): Promise<boolean> {
  const rows = await executeAndCommitNow(
    em,
    `update mfa_challenges set failed_attempts = failed_attempts + 1
      where id = ? and used_at is null and expires_at > ? and failed_attempts < ? returning id`,
    [challengeId, now, maxFailures],
  );
  return rows.length === 1;
}
