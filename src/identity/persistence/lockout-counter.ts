import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config.js';

/**
 * Consecutive-failure lockout, counted atomically in PostgreSQL. An attempt
 * first reserves one of the `threshold` tries with a conditional UPDATE; only
 * a reserved attempt may compare the password, so parallel guesses can never
 * run more comparisons than the threshold. The failure that uses up the last
 * try locks the account for base × 2^(earlier lockouts) seconds, capped; failures
 * during a lockout change nothing, so they cannot extend it.
 */
export function createLockout(settings: Config['lockout']) {
  return {
    async reserveAttempt(em: EntityManager, userId: string, now: Date): Promise<boolean> {
      const rows = await em.getConnection().execute(
        `update users set failed_login_attempts = failed_login_attempts + 1
          where id = ? and (locked_until is null or locked_until <= ?) and failed_login_attempts < ?
          returning id`,
        [userId, now, settings.threshold],
      );
      return rows.length === 1;
    },

    /** Gives back a reserved try whose password was right (the second factor decides from here). */
    async release(em: EntityManager, userId: string): Promise<void> {
      await em
        .getConnection()
        .execute(
          'update users set failed_login_attempts = greatest(failed_login_attempts - 1, 0) where id = ?',
          [userId],
        );
    },

    /** After a wrong password; returns the lockout end when this failure locked the account. */
    async recordFailure(em: EntityManager, userId: string, now: Date): Promise<Date | undefined> {
      const rows: { locked_until: Date }[] = await em.getConnection().execute(
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

export type Lockout = ReturnType<typeof createLockout>;
