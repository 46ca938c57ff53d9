import { createAuditTrail } from './audit/audit-trail.js';
import { createUnitOfWork } from './audit/unit-of-work.js';
import type { Config } from './config/config.js';
import type { Orm } from './db/orm.js';
import { describeError } from './graphql/format-error.js';
import { createAuthenticator } from './identity/authenticate.js';
import { createDeviceTrust } from './identity/device-trust.js';
import { createLockout } from './identity/lockout.js';
import { createSessionTokens } from './identity/session-tokens.js';
import { createAdministerUser } from './identity/use-cases/administer-user.js';
import { createChangePassword } from './identity/use-cases/change-password.js';
import { createDeleteAccount } from './identity/use-cases/delete-account.js';
import { createLoginUser } from './identity/use-cases/login-user.js';
import { createRefreshSession } from './identity/use-cases/refresh-session.js';
import { createRegisterUser } from './identity/use-cases/register-user.js';
import { createRevokeSessions } from './identity/use-cases/revoke-sessions.js';
import { createUpdateProfile } from './identity/use-cases/update-profile.js';
import { createMfaChallenges } from './mfa/challenges.js';
import { createCodeHasher } from './mfa/one-time-codes.js';
import { createRecentAuth } from './mfa/recent-auth.js';
import { createSecondFactor } from './mfa/second-factor.js';
import { createManageFactors } from './mfa/use-cases/manage-factors.js';
import { createVerifyMfa } from './mfa/use-cases/verify-mfa.js';
import { createAccessTokens } from './security/access-tokens.js';
import { createFieldEncryption } from './security/field-encryption.js';
import { createPasswordHasher } from './security/password-hasher.js';
import { createRateLimits } from './security/rate-limits.js';
import { closeRedisClient, createRedisClient } from './security/redis.js';
import { createSignedTokens } from './security/signed-tokens.js';
import { createSigningKeys } from './security/signing-keys.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { createHttpSmsSender, createOutboxSmsSender } from './sms/sms-sender.js';

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
