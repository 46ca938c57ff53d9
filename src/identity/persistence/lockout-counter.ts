import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config.js';
import { executeAndCommitNow } from './commit-now.js';

/** A try reserved from the account's budget; `lockedUntil` when it was the last one. */
export interface ReservedAccountTry {
  /** The lockout this try started by being the last: it stands unless the try is given back. */
  lockedUntil?: Date;
}

/**
 * The account's consecutive-failure count, kept in PostgreSQL and changed only by these
 * statements, each committed at once. An attempt reserves a try before its secret is compared,
 * and the reservation counts as a failure until it is given back, so parallel guesses can never
 * run more comparisons than the threshold. The try that reaches the threshold locks the account
 * in the same statement, for base × 2^(earlier lockouts) seconds, capped: an account refuses
 * sign-ins only through `locked_until`, a finite time, so a lockout always ends, even when the
 * attempt that took the last try never settles (an error, the database gone). Giving that try back
 * (the secret was right) lifts the lockout it started. Failures during a lockout change nothing,
 * so they cannot extend it. The count is cleared by a successful sign-in or an admin's unlock
 * (`User.clearLockout`, through the unit of work).
 */
export function createLockoutCounter(settings: Config['lockout']) {
  const threshold = settings.threshold;
  return {
    /** Takes one try; undefined while the account is locked. */
    async reserveTryNow(
      em: EntityManager,
      userId: string,
      now: Date,
    ): Promise<ReservedAccountTry | undefined> {
      const rows = await executeAndCommitNow<{ locked: boolean; locked_until: Date | string | null }>(
        em,
        `update users set
            failed_login_attempts = case when failed_login_attempts + 1 >= ? then 0 else failed_login_attempts + 1 end,
            locked_until = case when failed_login_attempts + 1 >= ?
              then ?::timestamptz + make_interval(secs => least(? * power(2, lock_count), ?)) else locked_until end,
            lock_count = case when failed_login_attempts + 1 >= ? then lock_count + 1 else lock_count end
          where id = ? and (locked_until is null or locked_until <= ?)
          returning locked_until > ? as locked, locked_until`,
        [threshold, threshold, now, settings.baseSeconds, settings.maxSeconds, threshold, userId, now, now],
      );
      if (rows.length !== 1) return undefined;
      return rows[0].locked && rows[0].locked_until ? { lockedUntil: new Date(rows[0].locked_until) } : {};
    },

    /**
     * Gives back a reserved try whose secret was right, or whose attempt ended without judging
     * it: the count goes back down, and a lockout the try started is lifted.
     */
    async giveBackTryNow(em: EntityManager, userId: string, reserved: ReservedAccountTry): Promise<void> {
      if (reserved.lockedUntil) {
        await executeAndCommitNow(
          em,
          `update users set locked_until = null, lock_count = greatest(lock_count - 1, 0),
                  failed_login_attempts = ?
            where id = ? and locked_until = ?`,
          [Math.max(threshold - 1, 0), userId, reserved.lockedUntil],
        );
        return;
      }
      await executeAndCommitNow(
        em,
        'update users set failed_login_attempts = greatest(failed_login_attempts - 1, 0) where id = ?',
        [userId],
      );
    },
  };
}

export type LockoutCounter = ReturnType<typeof createLockoutCounter>;
