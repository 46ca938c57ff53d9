import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { SmsSender } from '../../../adapters/sms/sms-sender.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput, invalidCredentials } from '../../../kernel/errors.js';
import type { MfaMethod } from '../../domain/enums.js';
import { MfaChallengeRecord, OneTimeCode, OneTimeCodePurpose } from '../../domain/mfa.entities.js';
import { type CodeHasher, newSmsCode, SMS_CODE_TTL_SECONDS } from '../../domain/one-time-codes.js';
import type { RequestMeta } from '../../domain/principal.js';
import { User } from '../../domain/user.entity.js';
import type { AuditTrail } from '../../persistence/audit-chain.js';
import type { Lockout } from '../../persistence/lockout-counter.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import type { SecondFactor } from '../second-factor.js';
import type { SessionTokens } from '../session-tokens.js';
import type { LoginOutcome } from './login-user.js';

export interface VerifyMfaInput {
  challengeToken: string;
  code: string;
  method?: MfaMethod | null;
}

/**
 * The second step of signing in. Each code takes one of the challenge's five
 * tries and, unless the device is trusted, one of the account's lockout tries;
 * only a right code opens the session.
 */
export function createVerifyMfa(deps: {
  clock: Clock;
  challenges: MfaChallenges;
  secondFactor: SecondFactor;
  lockout: Lockout;
  sessions: SessionTokens;
  deviceTrust: DeviceTrustService;
  audit: AuditTrail;
  inTransaction: InTransaction;
  limits: RateLimits;
  hashCode: CodeHasher;
  sms: SmsSender;
}) {
  return {
    async verify(em: EntityManager, input: VerifyMfaInput, meta: RequestMeta): Promise<LoginOutcome> {
      const record = await deps.challenges.open(em, input.challengeToken);
      const userId = record.user.id;
      const fail = async (reason: string, extra: { type: string; data: Record<string, unknown> }[] = []) => {
        const events = [
          { type: 'mfa.failed', subjectId: userId, data: { reason } },
          ...extra.map((e) => ({ ...e, subjectId: userId })),
        ];
        await deps.audit.appendNow(em, events, { meta });
        throw invalidCredentials();
      };
      if (!(await deps.challenges.reserveAttempt(em, record))) return fail('challenge_exhausted');
      const now = deps.clock.now();
      if (!record.viaTrustedDevice && !(await deps.lockout.reserveAttempt(em, userId, now)))
        return fail('locked_out');

      const user = await em.findOneOrFail(User, userId, { populate: ['mfaSecret'], refresh: true });
      const factor = user.canAuthenticate
        ? await deps.secondFactor.check(em, user, input.code, {
            method: input.method,
            challengeId: record.id,
          })
        : undefined;
      if (!factor) {
        const lockedUntil = record.viaTrustedDevice
          ? undefined
          : await deps.lockout.recordFailure(em, userId, now);
        return fail(
          'bad_code',
          lockedUntil ? [{ type: 'user.locked', data: { by: 'failed_logins', until: lockedUntil } }] : [],
        );
      }

      return deps.inTransaction(em, { meta, actorId: userId }, async (tx, record_) => {
        const challenge = await tx.findOneOrFail(MfaChallengeRecord, record.id);
        challenge.usedAt = deps.clock.now();
        const fresh = await tx.findOneOrFail(User, userId);
        fresh.recordSuccessfulLogin(deps.clock.now(), record.viaTrustedDevice ? 'trusted_device' : 'mfa');
        record_({ type: 'mfa.passed', subjectId: userId, data: { factor } });
        const device = { id: record.deviceId, name: record.deviceName };
        const issued = await deps.sessions.open(tx, fresh, device);
        return { ...issued, deviceTrustToken: await deps.deviceTrust.issue(tx, fresh, device.id) };
      });
    },

    /** Sends a login code for this challenge to the profile phone (30 s apart, 10 a day per phone). */
    async sendSmsCode(em: EntityManager, challengeToken: string, meta: RequestMeta): Promise<boolean> {
      const record = await deps.challenges.open(em, challengeToken);
      const user = await em.findOneOrFail(User, record.user.id);
      if (!user.smsMfaEnabled || !user.phone)
        throw badInput('challengeToken', 'SMS codes are not enabled for this account');
      await deps.limits.sms(user.phone);
      const code = newSmsCode();
      await deps.inTransaction(em, { meta }, async (tx, record_) => {
        const now = deps.clock.now();
        // A new code replaces the previous one; the challenge's failure count stays as it is.
        await tx.nativeUpdate(OneTimeCode, { challengeId: record.id, usedAt: null }, { usedAt: now });
        tx.persist(
          new OneTimeCode({
            user: ref(user),
            purpose: OneTimeCodePurpose.LOGIN,
            challengeId: record.id,
            codeHash: deps.hashCode('sms', code),
            expiresAt: new Date(now.getTime() + SMS_CODE_TTL_SECONDS * 1000),
            now,
          }),
        );
        record_({ type: 'mfa.sms_sent', subjectId: user.id, data: {} });
      });
      await deps.sms.send(user.phone, `Your elcorp sign-in code is ${code}. It expires in 5 minutes.`);
      return true;
    },
  };
}

export type VerifyMfa = ReturnType<typeof createVerifyMfa>;
