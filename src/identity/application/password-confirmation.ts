import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../adapters/crypto/password-hasher.js';
import { invalidCredentials } from '../../kernel/errors.js';
import { User } from '../domain/user.entity.js';

/**
 * Re-checking the password of a signed-in user before a sensitive change (changing the password,
 * deleting the account, changing second factors): the one place that does it. A wrong password
 * is INVALID_CREDENTIALS.
 */
export function createPasswordConfirmation(deps: { hasher: PasswordHasher }) {
  return async function confirmPassword(em: EntityManager, userId: string, password: string): Promise<User> {
    const user = await em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
    if (!(await deps.hasher.verify(password, user.passwordHash))) throw invalidCredentials();
    return user;
  };
}

export type ConfirmPassword = ReturnType<typeof createPasswordConfirmation>;
