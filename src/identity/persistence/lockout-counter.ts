import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunStatement } from '../../adapters/database/prepared-statements.js';
import type { Config } from '../../config/config.js';
import { User } from '../domain/user.entity.js';
import { executeAndCommitNow, runAndCommitNow } from './commit-now.js';
import { identifierCondition } from './user-lookup.js';
import { eagerUserColumns } from './user-queries.js';

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
export function createLockoutCounter(settings: Config['lockout'], run: RunStatement) {
  const threshold = settings.threshold;
  /**
   * Taking a try: the count goes up, and the try that reaches the threshold locks the account
   * instead, for base × 2^(earlier lockouts) seconds, capped. Parameters from takeTryParams.
   */
  const TAKE_TRY = `failed_login_attempts = case when failed_login_attempts + 1 >= ? then 0 else failed_login_attempts + 1 end,
    locked_until = case when failed_login_attempts + 1 >= ?
      then ?::timestamptz + make_interval(secs => least(? * power(2, lock_count), ?)) else locked_until end,
    lock_count = case when failed_login_attempts + 1 >= ? then lock_count + 1 else lock_count end`;
  const takeTryParams = (now: Date) => [
    threshold,
    threshold,
    now,
    settings.baseSeconds,
    settings.maxSeconds,
    threshold,
  ];
  /** findAndReserveTryNow's text for each identifier condition (by email, by username, none), built once. */
  const findAndReserveTexts = new Map<string, string>();
  return {
    /** Takes one try; undefined while the account is locked. */
    async reserveTryNow(
      em: EntityManager,
      userId: string,
      now: Date,
    ): Promise<ReservedAccountTry | undefined> {
      const rows = await executeAndCommitNow<{ locked: boolean; locked_until: Date | string | null }>(
        em,
        `update users set ${TAKE_TRY} where id = ? and ${NOT_LOCKED}
          returning locked_until > ? as locked, locked_until`,
        [...takeTryParams(now), userId, now, now],
      );
      if (rows.length !== 1) return undefined;
      return reservedFrom(rows[0]);
    },

    /**
     * The account an identifier names, its password hash read, and one try taken from its budget,
     * in one statement: a sign-in's round trip before its password is compared, which takes as
     * long whether or not the identifier names an account. Undefined when none does; `reserved`
     * undefined while the account is locked. The user is mapped into `em`.
     */
    async findAndReserveTryNow(
      em: EntityManager,
      identifier: string,
      now: Date,
    ): Promise<{ user: User; reserved?: ReservedAccountTry } | undefined> {
      const match = identifierCondition(identifier, 'u');
      const condition = match?.sql ?? 'false';
      let sql = findAndReserveTexts.get(condition);
      if (!sql) {
        sql = `with found as (
           select ${eagerUserColumns(em, 'u')}, u.password_hash from users u where ${condition}
         ), reserved as (
           update users set ${TAKE_TRY} where id = (select id from found) and ${NOT_LOCKED}
           returning true as reserved_try, locked_until > ? as reserved_locked, locked_until as reserved_locked_until
         )
         select found.*, reserved.* from found left join reserved on true`;
        findAndReserveTexts.set(condition, sql);
      }
      const [row] = await runAndCommitNow<Record<string, unknown>>(em, run, sql, [
        ...(match ? [match.value] : []),
        ...takeTryParams(now),
        now,
        now,
      ]);
      if (!row) return undefined;
      const {
        reserved_try: taken,
        reserved_locked: locked,
        reserved_locked_until: lockedUntil,
        ...account
      } = row;
      const user = em.map(User, account);
      if (taken !== true) return { user };
      return {
        user,
        reserved: reservedFrom({ locked: locked === true, locked_until: lockedUntil as Date | null }),
      };
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

/** An account takes no try while locked: the condition of the row, its one parameter `now`. */
const NOT_LOCKED = '(locked_until is null or locked_until <= ?)';

const reservedFrom = (row: { locked: boolean; locked_until: Date | string | null }): ReservedAccountTry =>
  row.locked && row.locked_until ? { lockedUntil: new Date(row.locked_until) } : {};
