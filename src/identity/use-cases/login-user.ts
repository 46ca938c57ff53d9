import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../security/password-hasher.js';
import type { Clock } from '../../shared/clock.js';
import { invalidCredentials } from '../../shared/errors.js';
import { parseDeviceId, parseDeviceName } from '../device.js';
import type { IssuedSession, SessionTokens } from '../session-tokens.js';
import { User } from '../user.entity.js';
import { findUserByIdentifier } from '../user-lookup.js';

export interface LoginUserInput {
  identifier: string;
  password: string;
  deviceId: string;
  deviceName?: string | null;
}

export function createLoginUser(deps: { hasher: PasswordHasher; clock: Clock; sessions: SessionTokens }) {
  return {
    /**
     * Checks the password, then opens a session for the device. Unknown users,
     * wrong passwords and accounts that may not sign in all fail the same way,
     * after the same amount of bcrypt work.
     */
    async execute(em: EntityManager, input: LoginUserInput): Promise<IssuedSession> {
      const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
      const found = await findUserByIdentifier(em, input.identifier, { withPasswordHash: true });
      if (!found) {
        await deps.hasher.verifyDummy(input.password);
        throw invalidCredentials();
      }
      // bcrypt runs outside any transaction: no connection is held while hashing.
      const passwordOk = await deps.hasher.verify(input.password, found.passwordHash);
      if (!passwordOk || !found.canAuthenticate) throw invalidCredentials();
      return em.transactional(async (tx) => {
        const user = await tx.findOneOrFail(User, found.id);
        user.recordSuccessfulLogin(deps.clock.now());
        return deps.sessions.open(tx, user, device);
      });
    },
  };
}
