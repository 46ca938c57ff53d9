import type { EntityManager } from '@mikro-orm/postgresql';
import { executeAndCommitNow } from './commit-now.js';

/**
 * A trusted device's own failure budget: a device that proved earlier trust is judged by these
 * tries instead of the account's lockout. Each statement commits at once.
 */
export function createDeviceTrustCounter(settings: { maxFailures: number }) {
  return {
    /** Takes one of the device's tries; false once they are used up. */
    async reserveTryNow(em: EntityManager, trustId: string): Promise<boolean> {
      const rows = await executeAndCommitNow(
        em,
        'update device_trusts set failed_attempts = failed_attempts + 1 where id = ? and failed_attempts < ? returning id',
        [trustId, settings.maxFailures],
      );
      return rows.length === 1;
    },

    /** Gives back a reserved try whose attempt ended without a wrong secret. */
    async giveBackTryNow(em: EntityManager, trustId: string): Promise<void> {
      await executeAndCommitNow(
        em,
        'update device_trusts set failed_attempts = greatest(failed_attempts - 1, 0) where id = ?',
        [trustId],
      );
    },

    /** After a wrong secret: once the budget is spent, the device is no longer trusted. */
    async forgetIfExhaustedNow(em: EntityManager, trustId: string): Promise<void> {
      await executeAndCommitNow(em, 'delete from device_trusts where id = ? and failed_attempts >= ?', [
        trustId,
        settings.maxFailures,
      ]);
    },
  };
}

export type DeviceTrustCounter = ReturnType<typeof createDeviceTrustCounter>;
