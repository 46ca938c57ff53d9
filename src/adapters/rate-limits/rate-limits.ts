import { hash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import {
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../kernel/clock.js';
import { DomainError, ErrorCode } from '../../kernel/errors.js';
import { statementNames } from '../database/prepared-statements.js';
import { clientAddressKey } from './client-address.js';
import { MemoryCounters } from './memory-counters.js';

type Limiter = MemoryCounters | RateLimiterPostgres | RateLimiterRedis;

const rateLimited = (msBeforeNext: number) =>
  new DomainError(ErrorCode.RATE_LIMITED, 'Too many attempts; try again later', {
    retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
  });

/** Keys are digests: the store never holds an email address or an IP in clear, and always fits varchar(255). */
const digest = (...parts: string[]) => hash('sha256', parts.join('\u0000'), 'base64url');

/** Where shared counters live (the service's database, and Redis when that store is chosen), and the clock. */
export interface RateLimitBackends {
  knex: Knex;
  redis?: Redis;
  /** The memory store's time; the shared stores count in the time of the server that holds them. */
  clock: Clock;
  /** Told the name of each budget that refuses a request (`login`, `register`, …: a fixed set). */
  onRefused?: (budget: string) => void;
  /** Whether the postgres store's statements may be prepared: only on direct connections (default false). */
  prepared?: boolean;
  /** Told when the postgres store fails over to the per-process limiter, and when it is back. */
  storeHealth?: StoreHealth;
}

/** What rate-limiter-flexible's postgres store sends: a statement, which it also names. */
interface StoreQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

/**
 * The ORM's connection pool as the postgres store's client. On direct connections (`prepared`)
 * each statement is a named prepared statement, named from its text (not the store's own names, of
 * which one covers statements of several texts), so a connection plans it once. Behind a pooler in
 * transaction mode each is sent unnamed: the next statement may reach another server connection,
 * where that name is unknown or already taken, and every such failure would silently hand the
 * count to the per-process insurance limiter.
 */
function storeClient(knex: Knex, prepared: boolean, health: StoreHealth | undefined) {
  const nameOf = statementNames();
  let failing: string | undefined;
  return {
    async query({ text, values }: StoreQuery) {
      try {
        const connection = await knex.client.acquireConnection();
        try {
          const result = await connection.query(
            prepared ? { name: nameOf(text), text, values } : { text, values },
          );
          if (failing) health?.recovered();
          failing = undefined;
          return result;
        } finally {
          await knex.client.releaseConnection(connection);
        }
      } catch (err) {
        // Told once per kind of failure, not once per request while the store stays down.
        const code = String((err as { code?: unknown }).code ?? (err as Error).name);
        if (code !== failing) health?.failed(code);
        failing = code;
        throw err;
      }
    },
  };
}

/**
 * Told when the shared store fails and the per-process insurance limiter takes over (with the
 * failure's code only: a driver's message may name the server), and when the store answers again.
 */
export interface StoreHealth {
  failed(code: string): void;
  recovered(): void;
}

/**
 * The request budgets, counted per executed GraphQL field (so aliases each
 * count). With the postgres or redis store every instance shares the counters;
 * should that store fail, a per-process memory limiter with the same budget
 * takes over (rate-limiter-flexible's insurance limiter), so limits still hold, per instance.
 * The memory store counts in the injected clock's time; the shared stores in their own, the one
 * time every instance agrees on.
 */
export function createRateLimits(limits: Config['rateLimits'], backends: RateLimitBackends) {
  const { knex, redis, clock } = backends;
  const refused = (budget: string, msBeforeNext: number) => {
    backends.onRefused?.(budget);
    return rateLimited(msBeforeNext);
  };
  if (limits.store === 'redis' && !redis) throw new Error('the redis rate-limit store needs a Redis client');
  const budgets = new Map<Limiter, string>();
  const store = storeClient(knex, backends.prepared === true, backends.storeHealth);
  const make = (keyPrefix: string, points: number, duration: number): Limiter => {
    const limiter = makeLimiter(keyPrefix, points, duration);
    budgets.set(limiter, keyPrefix);
    return limiter;
  };
  const makeLimiter = (keyPrefix: string, points: number, duration: number): Limiter => {
    const opts: IRateLimiterOptions = { keyPrefix, points, duration };
    if (limits.store === 'memory') return new MemoryCounters({ points, duration, clock });
    if (limits.store === 'redis')
      return new RateLimiterRedis({
        ...opts,
        storeClient: redis,
        // While disconnected, go straight to the insurance limiter instead of waiting on a timeout.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(opts),
      });
    return new RateLimiterPostgres({
      ...opts,
      storeClient: store,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      insuranceLimiter: new RateLimiterMemory(opts),
    });
  };
  const login = make('login', limits.loginPerMinute, 60);
  const loginFailures = make('login-fail', limits.loginFailuresPerDay, 86400);
  const register = make('register', limits.registerPerHour, 3600);
  const emailLinks = make('email-link', limits.emailLinksPerHour, 3600);
  const resetsPerEmail = make('reset-email', limits.passwordResetsPerEmail, 3600);
  const resetsPerClient = make('reset-client', limits.passwordResetsPerClient, 3600);
  const smsCooldown = make('sms-cooldown', 1, limits.smsCooldownSeconds);
  const smsDaily = make('sms-day', limits.smsPerDay, 86400);
  const codeAttempts = make('code-attempt', limits.codeAttemptsPerWindow, 300);
  const passwordChecksPerSession = make('pw-check-session', limits.passwordChecksPerSession, 900);
  const passwordChecksPerAccount = make('pw-check-account', limits.passwordChecksPerAccount, 3600);
  const passwordCheckFailures = make('pw-check-fail', limits.passwordCheckFailuresPerSession, 86400);
  const walletChallenges = make('wallet-challenge', limits.walletChallengesPerMinute, 60);
  const passkeyOptions = make('passkey-options', limits.passkeyOptionsPerMinute, 60);

  /**
   * The digest an address-keyed budget counts under: an IPv6 client by its prefix of
   * RATE_LIMIT_IPV6_PREFIX bits, an IPv4 client (also written IPv4-mapped) by its address.
   */
  const addressKey = (ip: string, ...parts: string[]) =>
    digest(clientAddressKey(ip, limits.ipv6PrefixBits), ...parts);

  async function consume(limiter: Limiter, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw refused(budgets.get(limiter) ?? 'other', err.msBeforeNext);
      throw err;
    }
  }

  return {
    /** A sign-in attempt: 5 per minute per (client address, identifier). */
    loginAttempt: (ip: string, identifier: string) =>
      consume(login, addressKey(ip, identifier.trim().toLowerCase())),
    /**
     * The address's daily failure cap: none once the client address has failed 100 times today.
     * Judged after the device-trust token, so a device that proves earlier trust is never refused by it.
     */
    async addressFailureCap(ip: string): Promise<void> {
      const failures = await loginFailures.get(addressKey(ip));
      if (failures && failures.consumedPoints >= limits.loginFailuresPerDay)
        throw refused('login-fail', failures.msBeforeNext);
    },
    async loginFailed(ip: string): Promise<void> {
      await loginFailures.penalty(addressKey(ip), 1);
    },
    /** A registration that passed validation: 3 per hour per client address. */
    registration: (ip: string) => consume(register, addressKey(ip)),
    /** A verification link asked for again, per account. */
    emailLink: (userId: string) => consume(emailLinks, userId),
    /** A forgotten-password request: per client address, and per address asked about (keyed by its digest). */
    async passwordResetRequest(ip: string, email: string): Promise<void> {
      await consume(resetsPerClient, addressKey(ip));
      await consume(resetsPerEmail, digest(email));
    },
    /**
     * The refresh budget of a session: counted on the session row by the statement that rotates
     * its token (so every instance shares it, whatever the store, at no extra statement), and
     * refused through here, so that refusals are counted like any other budget's.
     */
    refreshBudget: { perWindow: limits.refreshPerMinute, windowSeconds: 60 },
    refreshRefused: (msBeforeNext: number) => refused('refresh', msBeforeNext),
    /** One SMS per phone per cooldown, and a daily cap per phone. */
    async sms(phone: string): Promise<void> {
      const daily = await smsDaily.get(digest(phone));
      if (daily && daily.consumedPoints >= limits.smsPerDay) throw refused('sms-day', daily.msBeforeNext);
      await consume(smsCooldown, digest(phone));
      await consume(smsDaily, digest(phone));
    },
    /** Guesses at an enrolment or verification code, per user. */
    codeAttempt: (userId: string) => consume(codeAttempts, userId),
    /** A password re-check of a signed-in user: per session per 15 minutes, and per account per hour. */
    async passwordCheck(sessionId: string, userId: string): Promise<void> {
      await consume(passwordChecksPerSession, sessionId);
      await consume(passwordChecksPerAccount, userId);
    },
    /** A wallet challenge handed out (each is a row until it expires): per client address per minute. */
    walletChallenge: (ip: string) => consume(walletChallenges, addressKey(ip)),
    /** Counts a wrong password in a session's re-checks; true once the session has had too many. */
    async passwordCheckFailed(sessionId: string): Promise<boolean> {
      const res = await passwordCheckFailures.penalty(sessionId, 1);
      return res.consumedPoints >= limits.passwordCheckFailuresPerSession;
    },
    /** Passkey sign-in options (each holds a server-side challenge): per client address per minute. */
    passkeyOptions: (ip: string) => consume(passkeyOptions, addressKey(ip)),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/** Drops expired counters of the postgres store (run with the hourly maintenance). */
export async function purgeExpiredRateLimits(knex: Knex, now: Date): Promise<number> {
  return knex('rate_limits').where('expire', '<', now.getTime()).delete();
}
