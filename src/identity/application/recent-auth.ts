import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../kernel/clock.js';
import { forbidden, invalidCredentials } from '../../kernel/errors.js';
import type { Principal } from '../domain/principal.js';
import { Session } from '../domain/session.entity.js';
import { User } from '../domain/user.entity.js';

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
