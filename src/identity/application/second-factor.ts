import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';
import type { Clock } from '../../kernel/clock.js';
import { MfaMethod } from '../domain/enums.js';
import { type CodeHasher, totpStep } from '../domain/one-time-codes.js';
import type { User } from '../domain/user.entity.js';

export const TOTP_SECRET_CONTEXT = 'users.mfa_secret';
export type FactorUsed = 'TOTP' | 'SMS' | 'RECOVERY_CODE';

/**
 * Checks a second-factor code against the user's factors and consumes it in
 * the same statement that finds it, so a code works once even under parallel
 * use: TOTP by moving the last accepted step forward, SMS and recovery codes by
 * marking them used. Returns the factor that matched, or undefined.
 */
export function createSecondFactor(deps: {
  encryption: FieldEncryption;
  hashCode: CodeHasher;
  clock: Clock;
}) {
  // em.execute runs in the caller's transaction, when there is one.
  const execute = (em: EntityManager, sql: string, params: unknown[]) => em.execute(sql, params);

  async function totp(em: EntityManager, user: User, code: string): Promise<boolean> {
    if (!user.totpEnabled || !user.mfaSecret) return false;
    const step = totpStep(
      deps.encryption.decrypt(user.mfaSecret, TOTP_SECRET_CONTEXT),
      code,
      deps.clock.now(),
    );
    if (step === undefined) return false;
    const rows = await execute(
      em,
      'update users set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?) returning id',
      [step, user.id, step],
    );
    return rows.length === 1;
  }

  /** A login code of this challenge, or (outside sign-in) a code from requestPhoneVerification. */
  async function sms(em: EntityManager, user: User, code: string, challengeId?: string): Promise<boolean> {
    if (!user.smsMfaEnabled) return false;
    const now = deps.clock.now();
    const rows = await execute(
      em,
      `update one_time_codes set used_at = ? where user_id = ? and purpose = ? and challenge_id is not distinct from ?
          and code_hash = ? and used_at is null and expires_at > ? returning id`,
      [
        now,
        user.id,
        challengeId ? 'login' : 'phone_verification',
        challengeId ?? null,
        deps.hashCode('sms', code),
        now,
      ],
    );
    return rows.length === 1;
  }

  async function recovery(em: EntityManager, user: User, code: string): Promise<boolean> {
    const rows = await execute(
      em,
      'update recovery_codes set used_at = ? where user_id = ? and code_hash = ? and used_at is null returning id',
      [deps.clock.now(), user.id, deps.hashCode('recovery', code)],
    );
    return rows.length === 1;
  }

  return {
    async check(
      em: EntityManager,
      user: User,
      code: string,
      opts: { method?: MfaMethod | null; challengeId?: string },
    ): Promise<FactorUsed | undefined> {
      const trimmed = code.trim();
      if (/^\d{6}$/.test(trimmed)) {
        if (opts.method !== MfaMethod.SMS && (await totp(em, user, trimmed))) return 'TOTP';
        if (opts.method !== MfaMethod.TOTP && (await sms(em, user, trimmed, opts.challengeId))) return 'SMS';
        return undefined;
      }
      return (await recovery(em, user, trimmed)) ? 'RECOVERY_CODE' : undefined;
    },
  };
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
