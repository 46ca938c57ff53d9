import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';
import type { Clock } from '../../kernel/clock.js';
import { MfaMethod } from '../domain/enums.js';
import { type CodeHasher, TOTP_SECRET_CONTEXT, totpStep } from '../domain/one-time-codes.js';
import type { User } from '../domain/user.entity.js';
import { consumeRecoveryCode, consumeSmsCode, consumeTotpStep } from '../persistence/code-consumption.js';

export type FactorUsed = 'TOTP' | 'SMS' | 'RECOVERY_CODE';

/**
 * Checks a second-factor code against the user's factors and consumes it in the statement that
 * finds it (code-consumption.ts), so a code works once even under parallel use. Six digits are
 * a TOTP or SMS code (unless `method` names one), anything else a recovery code. Returns the
 * factor that matched, or undefined.
 */
export function createSecondFactor(deps: {
  encryption: FieldEncryption;
  hashCode: CodeHasher;
  clock: Clock;
}) {
  async function totp(em: EntityManager, user: User, code: string): Promise<boolean> {
    if (!user.totpEnabled || !user.mfaSecret) return false;
    const secret = deps.encryption.decrypt(user.mfaSecret, TOTP_SECRET_CONTEXT);
    const step = totpStep(secret, code, deps.clock.now());
    return step !== undefined && consumeTotpStep(em, user.id, step);
  }

  return {
    async check(
      em: EntityManager,
      user: User,
      code: string,
      opts: { method?: MfaMethod | null; challengeId?: string },
    ): Promise<FactorUsed | undefined> {
      const trimmed = code.trim();
      const now = deps.clock.now();
      if (/^\d{6}$/.test(trimmed)) {
        if (opts.method !== MfaMethod.SMS && (await totp(em, user, trimmed))) return 'TOTP';
        const sms =
          opts.method !== MfaMethod.TOTP &&
          user.smsMfaEnabled &&
          (await consumeSmsCode(em, {
            userId: user.id,
            codeHash: deps.hashCode('sms', trimmed),
            challengeId: opts.challengeId,
            now,
          }));
        return sms ? 'SMS' : undefined;
      }
      const recovery = await consumeRecoveryCode(em, {
        userId: user.id,
        codeHash: deps.hashCode('recovery', trimmed),
        now,
      });
      return recovery ? 'RECOVERY_CODE' : undefined;
    },
  };
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
