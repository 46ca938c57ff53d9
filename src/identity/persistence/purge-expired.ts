import type { EntityManager } from '@mikro-orm/postgresql';
import { purgeExpiredRateLimits } from '../../adapters/rate-limits/rate-limits.js';
import { purgeEndedSessions } from './purge-sessions.js';

/** How long expired challenges and codes stay before they are deleted. */
const EXPIRED_RETENTION_SECONDS = 86400;
/** How long the development outboxes keep what they "sent". */
const OUTBOX_RETENTION_MS = 7 * 86400_000;

/**
 * Deletes what has expired: ended sessions (after a week), MFA challenges,
 * one-time codes, wallet challenges and device trusts, rate-limit counters, and development SMS
 * and mail after 7 days. Idempotent; a job-queue schedule runs it hourly, on
 * one worker of the cluster per occurrence.
 */
export async function purgeExpired(em: EntityManager, now: Date): Promise<Record<string, number>> {
  const cutoff = new Date(now.getTime() - EXPIRED_RETENTION_SECONDS * 1000);
  const del = async (sql: string, params: unknown[]): Promise<number> => {
    const result = (await em.getConnection().execute(sql, params, 'run')) as unknown as {
      affectedRows: number;
    };
    return result.affectedRows;
  };
  return {
    sessions: await purgeEndedSessions(em, now),
    mfaChallenges: await del('delete from mfa_challenges where expires_at < ?', [cutoff]),
    oneTimeCodes: await del('delete from one_time_codes where expires_at < ?', [cutoff]),
    walletChallenges: await del('delete from wallet_challenges where expires_at < ?', [cutoff]),
    passkeyChallenges: await del('delete from passkey_challenges where expires_at < ?', [now]),
    deviceTrusts: await del('delete from device_trusts where expires_at < ?', [now]),
    smsOutbox: await del('delete from sms_outbox where created_at < ?', [
      new Date(now.getTime() - OUTBOX_RETENTION_MS),
    ]),
    mailOutbox: await del('delete from mail_outbox where created_at < ?', [
      new Date(now.getTime() - OUTBOX_RETENTION_MS),
    ]),
    rateLimits: await purgeExpiredRateLimits(em.getConnection().getKnex(), now),
  };
}
