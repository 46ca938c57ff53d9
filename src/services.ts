import type { Config } from './config/config.js';
import type { Orm } from './db/orm.js';
import { createAuthenticator } from './identity/authenticate.js';
import { createDeviceTrust } from './identity/device-trust.js';
import { createLockout } from './identity/lockout.js';
import { createSessionTokens } from './identity/session-tokens.js';
import { createAdministerUser } from './identity/use-cases/administer-user.js';
import { createChangePassword } from './identity/use-cases/change-password.js';
import { createDeleteAccount } from './identity/use-cases/delete-account.js';
import { createLoginUser } from './identity/use-cases/login-user.js';
import { createLogoutSession } from './identity/use-cases/logout-session.js';
import { createRefreshSession } from './identity/use-cases/refresh-session.js';
import { createRegisterUser } from './identity/use-cases/register-user.js';
import { createRevokeSessions } from './identity/use-cases/revoke-sessions.js';
import { createUpdateProfile } from './identity/use-cases/update-profile.js';
import { createAccessTokens } from './security/access-tokens.js';
import { createFieldEncryption } from './security/field-encryption.js';
import { createPasswordHasher } from './security/password-hasher.js';
import { createRateLimits } from './security/rate-limits.js';
import { createSignedTokens } from './security/signed-tokens.js';
import { createSigningKeys } from './security/signing-keys.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';

/** Builds every service and use case from the configuration: the application's object graph. */
export function createServices(config: Config, orm: Orm, logger: Logger, clock: Clock = systemClock) {
  const encryption = createFieldEncryption(config.fieldEncryptionKeys);
  const hasher = createPasswordHasher({ pepper: config.passwordPepper, cost: config.bcryptCost });
  const signingKeys = createSigningKeys({
    em: orm.em,
    encryption,
    clock,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const tokens = createSignedTokens({ keys: signingKeys, clock, issuer: config.jwt.issuer });
  const accessTokens = createAccessTokens({
    tokens,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const sessions = createSessionTokens({ accessTokens, clock, ...config.session });
  const limits = createRateLimits(config.rateLimits, orm.em.getConnection().getKnex());
  const lockout = createLockout(config.lockout);
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
    registerUser: createRegisterUser({ hasher, clock, limits, passwordMinLength: config.passwordMinLength }),
    loginUser: createLoginUser({ hasher, clock, sessions, lockout, deviceTrust, limits, logger }),
    refreshSession: createRefreshSession({
      clock,
      sessions,
      encryption,
      limits,
      idleTtlSeconds: config.session.idleTtlSeconds,
      graceSeconds: config.session.refreshGraceSeconds,
    }),
    logoutSession: createLogoutSession({ clock }),
    revokeSessions: createRevokeSessions({ clock }),
    updateProfile: createUpdateProfile(),
    changePassword: createChangePassword({ hasher, clock, passwordMinLength: config.passwordMinLength }),
    deleteAccount: createDeleteAccount({ hasher, clock }),
    administerUser: createAdministerUser({ clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
