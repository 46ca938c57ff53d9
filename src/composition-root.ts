import { createFieldEncryption } from './adapters/crypto/field-encryption.js';
import { createPasswordHasher } from './adapters/crypto/password-hasher.js';
import type { Orm } from './adapters/database/orm.js';
import { createRateLimits } from './adapters/rate-limits/rate-limits.js';
import { closeRedisClient, createRedisClient } from './adapters/rate-limits/redis.js';
import { createHttpSmsSender, createOutboxSmsSender } from './adapters/sms/sms-sender.js';
import { createSignedTokens } from './adapters/tokens/signed-tokens.js';
import { createSigningKeys } from './adapters/tokens/signing-keys.js';
import type { Config } from './config/config.js';
import { createAccessTokens } from './identity/application/access-tokens.js';
import { createAuthenticator } from './identity/application/authenticate.js';
import { createDeviceTrust } from './identity/application/device-trust.js';
import { createMfaChallenges } from './identity/application/mfa-challenges.js';
import { createRecentAuth } from './identity/application/recent-auth.js';
import { createSecondFactor } from './identity/application/second-factor.js';
import { createSessionTokens } from './identity/application/session-tokens.js';
import { createAdministerUser } from './identity/application/use-cases/administer-user.js';
import { createChangePassword } from './identity/application/use-cases/change-password.js';
import { createDeleteAccount } from './identity/application/use-cases/delete-account.js';
import { createLoginUser } from './identity/application/use-cases/login-user.js';
import { createManageFactors } from './identity/application/use-cases/manage-factors.js';
import { createRefreshSession } from './identity/application/use-cases/refresh-session.js';
import { createRegisterUser } from './identity/application/use-cases/register-user.js';
import { createRevokeSessions } from './identity/application/use-cases/revoke-sessions.js';
import { createUpdateProfile } from './identity/application/use-cases/update-profile.js';
import { createVerifyMfa } from './identity/application/use-cases/verify-mfa.js';
import { createCodeHasher } from './identity/domain/one-time-codes.js';
import { describeError } from './identity/graphql/format-error.js';
import { createAuditTrail } from './identity/persistence/audit-chain.js';
import { createLockout } from './identity/persistence/lockout-counter.js';
import { createUnitOfWork } from './identity/persistence/unit-of-work.js';
import { type Clock, systemClock } from './kernel/clock.js';
import type { Logger } from './kernel/logger.js';

/** Builds every service and use case from the configuration: the application's object graph. */
export function createServices(config: Config, orm: Orm, logger: Logger, clock: Clock = systemClock) {
  const encryption = createFieldEncryption(config.fieldEncryptionKeys);
  const hasher = createPasswordHasher({ pepper: config.passwordPepper, cost: config.bcryptCost });
  const signingKeys = createSigningKeys({
    em: orm.em,
    encryption,
    clock,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    onReloadError: (err) =>
      logger.warn({ error: describeError(err) }, 'signing key reload failed; cached keys stay in use'),
  });
  const tokens = createSignedTokens({ keys: signingKeys, clock, issuer: config.jwt.issuer });
  const accessTokens = createAccessTokens({
    tokens,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const sessions = createSessionTokens({ accessTokens, clock, ...config.session });
  const redis =
    config.rateLimits.store === 'redis' && config.rateLimits.redisUrl
      ? createRedisClient(config.rateLimits.redisUrl, config.rateLimits.redisKeyPrefix, logger)
      : undefined;
  const limits = createRateLimits(config.rateLimits, { knex: orm.em.getConnection().getKnex(), redis });
  const lockout = createLockout(config.lockout);
  const audit = createAuditTrail({ clock, enabled: config.auditLogEnabled });
  const inTransaction = createUnitOfWork(audit);
  const challenges = createMfaChallenges({ tokens, clock, issuer: config.jwt.issuer });
  const hashCode = createCodeHasher(config.passwordPepper);
  const secondFactor = createSecondFactor({ encryption, hashCode, clock });
  const sms =
    config.sms.provider === 'http' && config.sms.url
      ? createHttpSmsSender({
          url: config.sms.url,
          token: config.sms.token,
          timeoutMs: config.sms.timeoutMs,
          retries: config.sms.retries,
        })
      : createOutboxSmsSender({ em: orm.em, clock });
  const deviceTrust = createDeviceTrust({
    tokens,
    clock,
    issuer: config.jwt.issuer,
    settings: config.deviceTrust,
  });

  return {
    clock,
    encryption,
    hasher,
    signingKeys,
    accessTokens,
    authenticate: createAuthenticator({ accessTokens, clock }),
    limits,
    audit,
    inTransaction,
    registerUser: createRegisterUser({
      hasher,
      clock,
      limits,
      inTransaction,
      passwordMinLength: config.passwordMinLength,
    }),
    loginUser: createLoginUser({
      hasher,
      clock,
      sessions,
      lockout,
      deviceTrust,
      limits,
      logger,
      audit,
      inTransaction,
      challenges,
    }),
    refreshSession: createRefreshSession({
      clock,
      sessions,
      encryption,
      limits,
      inTransaction,
      idleTtlSeconds: config.session.idleTtlSeconds,
      graceSeconds: config.session.refreshGraceSeconds,
    }),
    revokeSessions: createRevokeSessions({ clock, inTransaction }),
    updateProfile: createUpdateProfile({ inTransaction }),
    changePassword: createChangePassword({
      hasher,
      clock,
      inTransaction,
      passwordMinLength: config.passwordMinLength,
    }),
    deleteAccount: createDeleteAccount({ hasher, clock, inTransaction }),
    administerUser: createAdministerUser({ clock, inTransaction }),
    manageFactors: createManageFactors({
      clock,
      hasher,
      encryption,
      hashCode,
      secondFactor,
      assertRecentAuth: createRecentAuth({ hasher, clock }),
      limits,
      sms,
      inTransaction,
    }),
    verifyMfa: createVerifyMfa({
      clock,
      challenges,
      secondFactor,
      lockout,
      sessions,
      deviceTrust,
      audit,
      inTransaction,
      limits,
      hashCode,
      sms,
    }),
    /** Releases what the services hold outside the ORM (the Redis connection). */
    async close(): Promise<void> {
      if (redis) await closeRedisClient(redis);
    },
  };
}

export type Services = ReturnType<typeof createServices>;
