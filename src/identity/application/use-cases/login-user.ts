import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { invalidCredentials } from '../../../kernel/errors.js';
import type { Logger } from '../../../kernel/logger.js';
import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import type { MfaMethod } from '../../domain/enums.js';
import type { RequestMeta } from '../../domain/principal.js';
import { User } from '../../domain/user.entity.js';
import type { AuditTrail } from '../../persistence/audit-chain.js';
import type { Lockout } from '../../persistence/lockout-counter.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { findUserByIdentifier } from '../../persistence/user-lookup.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import type { IssuedSession, SessionTokens } from '../session-tokens.js';

export interface LoginUserInput {
  identifier: string;
  password: string;
  deviceId: string;
  deviceName?: string | null;
  deviceTrustToken?: string | null;
}

export type LoginOutcome = IssuedSession & { deviceTrustToken: string };

export interface MfaChallengeOutcome {
  challengeToken: string;
  methods: MfaMethod[];
  expiresAt: Date;
}

export function createLoginUser(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  sessions: SessionTokens;
  lockout: Lockout;
  deviceTrust: DeviceTrustService;
  limits: RateLimits;
  logger: Logger;
  audit: AuditTrail;
  inTransaction: InTransaction;
  challenges: MfaChallenges;
}) {
  return {
    /**
     * Checks the password, then opens a session for the device. Unknown users,
     * wrong passwords, locked-out and disabled accounts all fail the same way,
     * after the same bcrypt work. A device that proves earlier trust is judged
     * by its own failure budget instead of the account's lockout.
     */
    async execute(
      em: EntityManager,
      input: LoginUserInput,
      meta: RequestMeta,
    ): Promise<LoginOutcome | MfaChallengeOutcome> {
      const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
      await deps.limits.loginAttempt(meta.ip, input.identifier);
      const fail = async (reason: string, userId?: string, extra: DomainEvent[] = []): Promise<never> => {
        await deps.limits.loginFailed(meta.ip);
        const failed = { type: 'login.failed', subjectId: userId, data: { reason, deviceId: device.id } };
        await deps.audit.appendNow(em, [failed, ...extra], { meta });
        throw invalidCredentials();
      };

      const found = await findUserByIdentifier(em, input.identifier, { withPasswordHash: true });
      const now = deps.clock.now();
      if (!found) {
        // The round trip a known account's attempt spends reserving its try (matching no row
        // here), and a comparison at the same cost: an unknown identifier takes as long.
        await deps.lockout.reserveAttempt(em, randomUUID(), now);
        await deps.hasher.verifyDummy(input.password);
        return fail('unknown_user');
      }
      const trust = await deps.deviceTrust.find(em, input.deviceTrustToken, found.id, device.id);
      const reserved = trust
        ? await deps.deviceTrust.reserveAttempt(em, trust)
        : await deps.lockout.reserveAttempt(em, found.id, now);
      if (!reserved) {
        await deps.hasher.verifyDummy(input.password);
        return fail(trust ? 'trusted_device_exhausted' : 'locked_out', found.id);
      }
      // bcrypt runs outside any transaction: no connection is held while hashing.
      if (!(await deps.hasher.verify(input.password, found.passwordHash))) {
        if (trust) {
          await deps.deviceTrust.recordFailure(em, trust);
          return fail('bad_password', found.id);
        }
        const lockedUntil = await deps.lockout.recordFailure(em, found.id, now);
        if (!lockedUntil) return fail('bad_password', found.id);
        deps.logger.warn({ userId: found.id, lockedUntil }, 'account locked after failed sign-ins');
        const locked = {
          type: 'user.locked',
          subjectId: found.id,
          data: { by: 'failed_logins', until: lockedUntil },
        };
        return fail('bad_password', found.id, [locked]);
      }
      if (!found.canAuthenticate) return fail(`account_${found.status.toLowerCase()}`, found.id);

      if (found.mfaEnabled) {
        if (!trust) await deps.lockout.release(em, found.id);
        // The password was right; no session and no usable token until the second factor.
        return deps.inTransaction(em, { meta, actorId: found.id }, async (tx, record) => {
          record({ type: 'login.password_verified', subjectId: found.id, data: { deviceId: device.id } });
          return deps.challenges.issue(tx, found, device, trust !== undefined);
        });
      }

      return deps.inTransaction(em, { meta, actorId: found.id }, async (tx) => {
        const user = await tx.findOneOrFail(User, found.id, { refresh: true });
        user.recordSuccessfulLogin(deps.clock.now(), trust ? 'trusted_device' : 'password');
        const issued = await deps.sessions.open(tx, user, device);
        return { ...issued, deviceTrustToken: await deps.deviceTrust.issue(tx, user, device.id) };
      });
    },
  };
}
