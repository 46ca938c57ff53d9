import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Second-factor codes are consumed by the same statement that finds them, so a code works once
 * even under parallel use. Each runs in the caller's transaction when one is open (disabling
 * MFA), and otherwise commits at once (answering a sign-in challenge).
 */

/** Moves the account's last accepted TOTP step forward to `step`; false when it is not newer. */
export async function consumeTotpStep(em: EntityManager, userId: string, step: number): Promise<boolean> {
  const rows = await em.execute(
    'update users set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?) returning id',
    [step, userId, step],
  );
  return rows.length === 1;
}

/** Marks an unused, unexpired SMS code as used: a login code of the challenge, or else a phone-verification code. */
export async function consumeSmsCode(
  em: EntityManager,
  code: { userId: string; codeHash: string; challengeId?: string; now: Date },
): Promise<boolean> {
  const rows = await em.execute(
    `update one_time_codes set used_at = ? where user_id = ? and purpose = ? and challenge_id is not distinct from ?
        and code_hash = ? and used_at is null and expires_at > ? returning id`,
    [
      code.now,
      code.userId,
      code.challengeId ? 'login' : 'phone_verification',
      code.challengeId ?? null,
      code.codeHash,
      code.now,
    ],
  );
  return rows.length === 1;
}

/** Marks an unused recovery code as used. */
export async function consumeRecoveryCode(
  em: EntityManager,
  code: { userId: string; codeHash: string; now: Date },
): Promise<boolean> {
  const rows = await em.execute(
    'update recovery_codes set used_at = ? where user_id = ? and code_hash = ? and used_at is null returning id',
    [code.now, code.userId, code.codeHash],
  );
  return rows.length === 1;
}
