import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { createFieldEncryption, type FieldEncryption } from './adapters/crypto/field-encryption.js';
import { createPasswordHasher } from './adapters/crypto/password-hasher.js';
import { type ChangeListener, createChangeListener } from './adapters/database/change-listener.js';
import { createOrm, type Orm, type OrmOptions, poolUsage } from './adapters/database/orm.js';
import { createStatementRunner } from './adapters/database/prepared-statements.js';
import { createJobQueue, type JobQueue, type JobTuning } from './adapters/jobs/job-queue.js';
import {
  createOutboxMailSender,
  createSmtpMailSender,
  type MailSender,
} from './adapters/mail/mail-sender.js';
import {
  createMetrics,
  type Metrics,
  registerAuditChainGauges,
  registerJobQueueGauges,
  registerPoolGauges,
} from './adapters/metrics/metrics.js';
import { createRateLimits } from './adapters/rate-limits/rate-limits.js';
import { closeRedisClient, createRedisClient } from './adapters/rate-limits/redis.js';
import { createHttpSmsSender, createOutboxSmsSender } from './adapters/sms/sms-sender.js';
import { createSignedTokens } from './adapters/tokens/signed-tokens.js';
import { createSigningKeys } from './adapters/tokens/signing-keys.js';
import type { Config } from './config/config.js';
import { createHttpApp } from './http/app.js';
import { createIdentityApplication } from './identity/application/identity-application.js';
import { AUTH_CHANGES_CHANNEL, createLiveSessionCache } from './identity/application/live-session-cache.js';
import { createCodeHasher } from './identity/domain/one-time-codes.js';
import { auditBacklog } from './identity/persistence/audit-chainer.js';
import { createAuditCheckpoints } from './identity/persistence/audit-checkpoints.js';
import { ENCRYPTED_COLUMNS, entities } from './identity/persistence/entities.js';
import { purgeExpired } from './identity/persistence/purge-expired.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { describeError } from './kernel/describe-error.js';
import { createLogger, createRequestScope, type Logger, type RequestScopeStorage } from './kernel/logger.js';

/**
 * The composition root: the one place that builds every adapter and use case, once. The server
 * (main.ts), the tests and the benchmark all boot through composeService, the worker process
 * (worker.ts) through composeWorker; operator commands open the ORM through openOrm and the job
 * queue through openJobQueue.
 */

/** The hourly purge of expired rows, run by one worker of the cluster per occurrence (UTC). */
export const PURGE_SCHEDULE = { name: 'purge-expired', cron: '0 * * * *' };
/** Signs the audit chain's head when it moved, once per occurrence of AUDIT_CHECKPOINT_CRON in the cluster. */
export const AUDIT_CHECKPOINT_SCHEDULE = 'audit-checkpoint';

/** The ORM over every entity of the service, with the encrypted columns bound to `encryption`. */
export const openOrm = (opts: Omit<OrmOptions, 'entities' | 'encryptedColumns'>): Promise<Orm> =>
  createOrm({ ...opts, entities, encryptedColumns: ENCRYPTED_COLUMNS });

export interface ServiceOptions {
  config: Config;
  databaseUrl: string;
  /** A logger built on `scope`, so its lines carry the request id; made from the config when absent. */
  logger?: Logger;
  scope?: RequestScopeStorage;
  clock?: Clock;
  poolMax?: number;
  /** Called with each SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Job queue timings other than production's (tests shorten them). */
  jobTuning?: Partial<JobTuning>;
  /** Overrides PURGE_SCHEDULE's cron expression (tests run it every minute). */
  purgeCron?: string;
}

interface Base {
  orm: Orm;
  encryption: FieldEncryption;
  clock: Clock;
  scope: RequestScopeStorage;
  logger: Logger;
  /** The rate-limit counters' Redis client, when they are kept in Redis. */
  redis?: Redis;
}

async function openBase(opts: ServiceOptions): Promise<Base> {
  const clock = opts.clock ?? systemClock;
  const scope = opts.scope ?? createRequestScope();
  const logger = opts.logger ?? createLogger({ level: opts.config.logLevel, scope });
  const encryption: FieldEncryption = createFieldEncryption(opts.config.fieldEncryptionKeys);
  const orm = await openOrm({
    url: opts.databaseUrl,
    encryption,
    poolMax: opts.poolMax,
    onQuery: opts.onQuery,
  });
  const limits = opts.config.rateLimits;
  const redis =
    limits.store === 'redis' && limits.redisUrl
      ? await createRedisClient(limits.redisUrl, limits.redisKeyPrefix, logger)
      : undefined;
  return { orm, encryption, clock, scope, logger, redis };
}

/** Releases what openBase opened, when composing on top of it failed. */
async function closeBase(base: Base): Promise<void> {
  if (base.redis) await closeRedisClient(base.redis);
  await base.orm.close();
}

/**
 * Builds the whole service on a database: adapters, use cases and the HTTP application. Its
 * start() also starts the job queue, and, unless WORKER=off, this process's workers.
 */
export async function composeService(opts: ServiceOptions): Promise<Service> {
  const base = await openBase(opts);
  try {
    return await compose(opts, base);
  } catch (err) {
    await closeBase(base);
    throw err;
  }
}

/** A worker process: the job queue's workers and schedules over the use cases, without HTTP. */
export async function composeWorker(opts: ServiceOptions): Promise<Worker> {
  const base = await openBase(opts);
  try {
    return composeCore(opts, base, 'worker');
  } catch (err) {
    await closeBase(base);
    throw err;
  }
}

export type Worker = ReturnType<typeof composeCore>;

/**
 * The job queue for operator commands (jobs:failed, jobs:retry): listing and redriving, no
 * workers. Started by the caller, stopped with stop().
 */
export const openJobQueue = (config: Config, databaseUrl: string, logger: Logger): JobQueue =>
  createJobQueue({ databaseUrl, logger, retry: config.jobs, role: 'operator' });

/** The identity context's background tasks, when it has any (`IdentityTasks`), each on a fresh EntityManager. */
type TaskHandlers = Record<string, (em: EntityManager, data: object) => Promise<void>>;
const tasksOf = (identity: object): TaskHandlers =>
  'tasks' in identity && identity.tasks ? (identity.tasks as TaskHandlers) : {};

/**
 * Adapters, use cases and the job queue: what the HTTP service and the worker process share.
 * `metrics` (the service's) counts sign-ins, lockouts, refresh-token reuse and rate-limit refusals.
 */
function composeCore(opts: ServiceOptions, base: Base, role: 'worker' | 'service', metrics?: Metrics) {
  const { config } = opts;
  const { orm, encryption, clock, logger, redis } = base;
  const hasher = createPasswordHasher({
    pepper: config.passwordPepper,
    cost: config.bcryptCost,
    maxConcurrent: config.passwordHashConcurrency,
  });
  const signingKeys = createSigningKeys({
    em: orm.em,
    encryption,
    clock,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    onReloadError: (err) =>
      logger.warn({ error: describeError(err) }, 'signing key reload failed; cached keys stay in use'),
  });
  const works = role === 'worker' || config.jobs.worker;
  const jobs = createJobQueue({
    databaseUrl: opts.databaseUrl,
    logger,
    retry: config.jobs,
    role: works ? 'worker' : 'producer',
    // Behind a transaction pooler a LISTEN lands on a borrowed server connection: poll instead.
    listen: config.databasePoolMode === 'session',
    prepared: config.databasePoolMode === 'session',
    tuning: opts.jobTuning,
  });
  const sms =
    config.sms.provider === 'http' && config.sms.url
      ? createHttpSmsSender({
          url: config.sms.url,
          token: config.sms.token,
          timeoutMs: config.sms.timeoutMs,
          retries: config.sms.retries,
        })
      : createOutboxSmsSender({ em: orm.em, clock });
  const mail: MailSender = config.mail.smtpUrl
    ? createSmtpMailSender({
        url: config.mail.smtpUrl,
        from: config.mail.from,
        maxConnections: opts.jobTuning?.concurrency ?? 4,
      })
    : createOutboxMailSender({ em: orm.em, clock });
  const live = role === 'service' ? liveSessionsOf(config, opts.databaseUrl, logger) : undefined;
  const identity = createIdentityApplication({
    liveSessions: live?.cache,
    settings: config,
    clock,
    logger,
    hasher,
    encryption,
    tokens: createSignedTokens({ keys: signingKeys, clock, issuer: config.jwt.issuer }),
    limits: createRateLimits(config.rateLimits, {
      knex: orm.em.getConnection().getKnex(),
      prepared: config.databasePoolMode === 'session',
      redis,
      clock,
      onRefused: metrics?.rateLimitRefused,
      storeHealth: {
        failed: (code) =>
          logger.warn({ storeError: code }, 'rate-limit store failing; limits fall back to this process'),
        recovered: () => logger.info('rate-limit store answering again'),
      },
    }),
    outbox: jobs,
    hashCode: createCodeHasher(config.passwordPepper),
    observer: metrics?.security,
    runStatement: createStatementRunner({ named: config.databasePoolMode === 'session' }),
  });
  const tasks = tasksOf(identity);
  let stopChaining: (() => Promise<void>) | undefined;
  const auditCheckpoints = createAuditCheckpoints({ em: orm.em, encryption, clock });

  return {
    config,
    orm,
    logger,
    clock,
    hasher,
    signingKeys,
    identity,
    jobs,
    auditCheckpoints,
    /** Whether this process works jobs (WORKER, or a worker process). */
    works,
    /** The cache of live sessions and its listener, in an HTTP service with AUTH_CACHE on. */
    liveSessions: live,
    /**
     * Loads the signing keys, creating the first one on a new database (the service refuses to
     * start without); starts the job queue (installing or migrating its schema) and, in a
     * process that works jobs, the workers, the schedules and the audit chainer.
     */
    async start(): Promise<void> {
      await signingKeys.ensureActiveKey();
      // Not awaited past its first try: until it listens, every request reads the database.
      await live?.listener.start();
      await jobs.start({ tasks: Object.keys(tasks) });
      if (!works) return;
      await jobs.work({
        mail: (message) => mail.send(message),
        sms: (phone, body) => sms.send(phone, body),
        tasks: Object.fromEntries(
          Object.entries(tasks).map(([name, run]) => [name, (data: object) => run(orm.em.fork(), data)]),
        ),
        schedules: [
          {
            name: PURGE_SCHEDULE.name,
            cron: opts.purgeCron ?? PURGE_SCHEDULE.cron,
            run: () => purgeExpired(orm.em.fork(), clock.now()),
          },
          {
            name: AUDIT_CHECKPOINT_SCHEDULE,
            cron: config.auditCheckpointCron,
            run: () => auditCheckpoints.signIfMoved(),
          },
        ],
      });
      stopChaining = identity.auditChainer.start({
        em: () => orm.em.fork(),
        intervalMs: config.auditChain.intervalMs,
        onError: (err) =>
          logger.warn({ error: describeError(err) }, 'audit chaining failed; retried on the next tick'),
      });
    },
    /** Stops the job queue (jobs in hand finish first), closes the Redis connection and the database pool. */
    async close(): Promise<void> {
      await stopChaining?.();
      await live?.listener.stop();
      await jobs.stop();
      mail.close();
      if (redis) await closeRedisClient(redis);
      await orm.close();
    },
  };
}

/** How long a live session stays cached at most, notifications aside. */
const LIVE_SESSION_TTL_MS = 60_000;
const LIVE_SESSIONS_CACHED = 10_000;

/**
 * The cache of live sessions and the LISTEN that keeps it fresh, unless AUTH_CACHE=false or the
 * database is reached through a transaction pooler with no direct DATABASE_LISTEN_URL (a LISTEN
 * needs a session of its own).
 */
function liveSessionsOf(config: Config, databaseUrl: string, logger: Logger) {
  if (!config.authCache) return undefined;
  const url = config.databaseListenUrl ?? (config.databasePoolMode === 'session' ? databaseUrl : undefined);
  if (!url) {
    logger.info('live session cache off: DATABASE_POOL_MODE=transaction and no DATABASE_LISTEN_URL');
    return undefined;
  }
  let listener: ChangeListener | undefined;
  const cache = createLiveSessionCache({
    isLive: () => listener?.connected() ?? false,
    ttlMs: LIVE_SESSION_TTL_MS,
    maxEntries: LIVE_SESSIONS_CACHED,
  });
  listener = createChangeListener({
    url,
    channel: AUTH_CHANGES_CHANNEL,
    onChange: (payload) => cache.invalidate(payload),
    onReset: () => cache.reset(),
    onError: (err) =>
      logger.warn(
        { error: describeError(err) },
        'session change listener lost; reading sessions from the database',
      ),
  });
  return { cache, listener };
}

async function compose(opts: ServiceOptions, base: Base) {
  const { config } = opts;
  const { orm, clock, scope, logger } = base;
  // The service's metrics, served at /metrics (a worker process serves none); the pool and the
  // job queues are read when scraped.
  const metrics = createMetrics();
  const core = composeCore(opts, base, 'service', metrics);
  const { identity, signingKeys, auditCheckpoints, jobs } = core;
  registerPoolGauges(metrics.registry, () => poolUsage(orm));
  registerJobQueueGauges(metrics.registry, () => jobs.depth());
  registerAuditChainGauges(metrics.registry, () => auditBacklog(orm.em.fork()));
  const http = await createHttpApp({
    config,
    orm,
    logger,
    scope,
    useCases: identity.useCases,
    authenticate: identity.authenticate,
    clock,
    jwks: () => signingKeys.jwks(),
    auditCheckpoints,
    metrics,
  });

  return {
    ...core,
    /** The Express application to listen with. */
    app: http.app,
    /** After the server stopped accepting: waits for GraphQL handlers still running. */
    drained: http.drained,
    /** Stops Apollo, then the job queue, the Redis connection and the database pool. */
    async close(): Promise<void> {
      await http.close();
      await core.close();
    },
  };
}

export type Service = Awaited<ReturnType<typeof compose>>;
