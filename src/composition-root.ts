import { createFieldEncryption, type FieldEncryption } from './adapters/crypto/field-encryption.js';
import { createPasswordHasher } from './adapters/crypto/password-hasher.js';
import { createOrm, type Orm, type OrmOptions } from './adapters/database/orm.js';
import { createRateLimits } from './adapters/rate-limits/rate-limits.js';
import { closeRedisClient, createRedisClient } from './adapters/rate-limits/redis.js';
import { createHttpSmsSender, createOutboxSmsSender } from './adapters/sms/sms-sender.js';
import { createSignedTokens } from './adapters/tokens/signed-tokens.js';
import { createSigningKeys } from './adapters/tokens/signing-keys.js';
import type { Config } from './config/config.js';
import { createHttpApp } from './http/app.js';
import { createIdentityApplication } from './identity/application/identity-application.js';
import { createCodeHasher } from './identity/domain/one-time-codes.js';
import { ENCRYPTED_COLUMNS, entities } from './identity/persistence/entities.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { describeError } from './kernel/describe-error.js';
import { createLogger, createRequestScope, type Logger, type RequestScopeStorage } from './kernel/logger.js';

/**
 * The composition root: the one place that builds every adapter and use case, once. The server
 * (main.ts), the tests and the benchmark all boot through composeService; operator commands open
 * the ORM through openOrm.
 */

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
}

/** Builds the whole service on a database: adapters, use cases and the HTTP application. */
export async function composeService(opts: ServiceOptions): Promise<Service> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const scope = opts.scope ?? createRequestScope();
  const logger = opts.logger ?? createLogger({ level: config.logLevel, scope });
  const encryption: FieldEncryption = createFieldEncryption(config.fieldEncryptionKeys);
  const orm = await openOrm({
    url: opts.databaseUrl,
    encryption,
    poolMax: opts.poolMax,
    onQuery: opts.onQuery,
  });
  try {
    return await compose(config, { orm, encryption, clock, scope, logger });
  } catch (err) {
    await orm.close();
    throw err;
  }
}

async function compose(
  config: Config,
  base: { orm: Orm; encryption: FieldEncryption; clock: Clock; scope: RequestScopeStorage; logger: Logger },
) {
  const { orm, encryption, clock, scope, logger } = base;
  const hasher = createPasswordHasher({ pepper: config.passwordPepper, cost: config.bcryptCost });
  const signingKeys = createSigningKeys({
    em: orm.em,
    encryption,
    clock,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    onReloadError: (err) =>
      logger.warn({ error: describeError(err) }, 'signing key reload failed; cached keys stay in use'),
  });
  const redis =
    config.rateLimits.store === 'redis' && config.rateLimits.redisUrl
      ? createRedisClient(config.rateLimits.redisUrl, config.rateLimits.redisKeyPrefix, logger)
      : undefined;
  const sms =
    config.sms.provider === 'http' && config.sms.url
      ? createHttpSmsSender({
          url: config.sms.url,
          token: config.sms.token,
          timeoutMs: config.sms.timeoutMs,
          retries: config.sms.retries,
        })
      : createOutboxSmsSender({ em: orm.em, clock });
  const identity = createIdentityApplication({
    settings: config,
    clock,
    logger,
    hasher,
    encryption,
    tokens: createSignedTokens({ keys: signingKeys, clock, issuer: config.jwt.issuer }),
    limits: createRateLimits(config.rateLimits, { knex: orm.em.getConnection().getKnex(), redis, clock }),
    sms,
    hashCode: createCodeHasher(config.passwordPepper),
  });
  const http = await createHttpApp({
    config,
    orm,
    logger,
    scope,
    useCases: identity.useCases,
    authenticate: identity.authenticate,
    clock,
    jwks: () => signingKeys.jwks(),
  });

  return {
    config,
    orm,
    logger,
    clock,
    hasher,
    signingKeys,
    identity,
    /** The Express application to listen with. */
    app: http.app,
    /** After the server stopped accepting: waits for GraphQL handlers still running. */
    drained: http.drained,
    /** Loads the signing keys, creating the first one on a new database; the service refuses to start without. */
    start: () => signingKeys.ensureActiveKey(),
    /** Stops Apollo, closes the Redis connection and the database pool. */
    async close(): Promise<void> {
      await http.close();
      if (redis) await closeRedisClient(redis);
      await orm.close();
    },
  };
}

export type Service = Awaited<ReturnType<typeof compose>>;
