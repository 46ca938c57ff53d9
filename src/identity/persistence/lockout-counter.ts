import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config.js';
import { executeAndCommitNow } from './commit-now.js';

/**
 * The account's consecutive-failure count, kept in PostgreSQL and changed only by these
 * statements, each committed at once. An attempt first reserves one of the `threshold` tries
 * with a conditional UPDATE; only a reserved attempt may compare the secret, so parallel
 * guesses can never run more comparisons than the threshold. The failure that uses up the last
 * try locks the account for base × 2^(earlier lockouts) seconds, capped; failures during a
 * lockout change nothing, so they cannot extend it. The count is cleared by a successful sign-in
 * or an admin's unlock (`User.clearLockout`, through the unit of work).
 */
export function createLockoutCounter(settings: Config['lockout']) {
  return {
    /** Takes one try; false while the account is locked or its tries are used up. */
    async reserveTryNow(em: EntityManager, userId: string, now: Date): Promise<boolean> {
      const rows = await executeAndCommitNow(
        em,
        `update users set failed_login_attempts = failed_login_attempts + 1
          where id = ? and (locked_until is null or locked_until <= ?) and failed_login_attempts < ?
          returning id`,
        [userId, now, settings.threshold],
      );
      return rows.length === 1;
    },

    /** Gives back a reserved try whose secret was right (the second factor decides from here). */
    async giveBackTryNow(em: EntityManager, userId: string): Promise<void> {
      await executeAndCommitNow(
        em,
        'update users set failed_login_attempts = greatest(failed_login_attempts - 1, 0) where id = ?',
        [userId],
      );
    },

    /** After a wrong secret; returns the lockout's end when this failure locked the account. */
    async recordFailureNow(em: EntityManager, userId: string, now: Date): Promise<Date | undefined> {
      const rows = await executeAndCommitNow<{ locked_until: Date }>(
        em,
        `update users
            set locked_until = ?::timestamptz + make_interval(secs => least(? * power(2, lock_count), ?)),
                lock_count = lock_count + 1,
                failed_login_attempts = 0
          where id = ? and failed_login_attempts >= ? and (locked_until is null or locked_until <= ?)
          returning locked_until`,
        [now, settings.baseSeconds, settings.maxSeconds, userId, settings.threshold, now],
      );
      return rows[0]?.locked_until;
    },
  };
}

export type LockoutCounter = ReturnType<typeof createLockoutCounter>;
