import type { Config } from './config/config.js';
import type { Orm } from './db/orm.js';
import { createAuthenticator } from './identity/authenticate.js';
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
import { createSigningKeys } from './security/signing-keys.js';
import { type Clock, systemClock } from './shared/clock.js';

/** Builds every service and use case from the configuration: the application's object graph. */
export function createServices(config: Config, orm: Orm, clock: Clock = systemClock) {
  const encryption = createFieldEncryption(config.fieldEncryptionKeys);
  const hasher = createPasswordHasher({ pepper: config.passwordPepper, cost: config.bcryptCost });
  const signingKeys = createSigningKeys({
    em: orm.em,
    encryption,
    clock,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const accessTokens = createAccessTokens({
    keys: signingKeys,
    clock,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const sessions = createSessionTokens({ accessTokens, clock, ...config.session });

  return {
    clock,
    encryption,
    hasher,
    signingKeys,
    accessTokens,
    authenticate: createAuthenticator({ accessTokens, clock }),
    registerUser: createRegisterUser({ hasher, clock, passwordMinLength: config.passwordMinLength }),
    loginUser: createLoginUser({ hasher, clock, sessions }),
    refreshSession: createRefreshSession({
      clock,
      sessions,
      encryption,
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
