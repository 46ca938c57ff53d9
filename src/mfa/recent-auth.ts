import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../identity/principal.js';
import { Session } from '../identity/session.entity.js';
import { User } from '../identity/user.entity.js';
import type { PasswordHasher } from '../security/password-hasher.js';
import type { Clock } from '../shared/clock.js';
import { forbidden, invalidCredentials } from '../shared/errors.js';

/** How recent a sign-in must be to change second factors without typing the password again. */
export const RECENT_LOGIN_SECONDS = 300;

/**
 * Factor changes need the password, or a session that signed in within the
 * last five minutes. A wrong password is INVALID_CREDENTIALS; an old session
 * without a password is FORBIDDEN (sign in again, or send the password).
 */
export function createRecentAuth(deps: { hasher: PasswordHasher; clock: Clock }) {
  return async function assertRecentAuth(
    em: EntityManager,
    principal: Principal,
    password?: string | null,
  ): Promise<void> {
    if (password) {
      const user = await em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
      if (!(await deps.hasher.verify(password, user.passwordHash))) throw invalidCredentials();
      return;
    }
    const session = await em.findOneOrFail(Session, principal.sessionId);
    if (deps.clock.now().getTime() - session.createdAt.getTime() > RECENT_LOGIN_SECONDS * 1000) {
      throw forbidden('Confirm your password: the last sign-in on this device was more than 5 minutes ago');
    }
  };
}

export type AssertRecentAuth = ReturnType<typeof createRecentAuth>;
