import { ref } from '@mikro-orm/core';
import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { OneTimeCode, OneTimeCodePurpose } from '../domain/mfa.entities.js';
import { type CodeHasher, newSmsCode, SMS_CODE_TTL_SECONDS } from '../domain/one-time-codes.js';
import type { User } from '../domain/user.entity.js';
import type { InTransaction } from '../persistence/unit-of-work.js';
import type { Outbox } from './outbox.js';
import type { RequestContext } from './request-context.js';

const WORDING: Record<OneTimeCodePurpose, string> = {
  [OneTimeCodePurpose.LOGIN]: 'sign-in',
  [OneTimeCodePurpose.PHONE_VERIFICATION]: 'verification',
};

export interface SmsCodeRequest {
  user: User;
  phone: string;
  purpose: OneTimeCodePurpose;
  /** The sign-in challenge a login code belongs to. */
  challengeId?: string;
  /** Who acted, for the audit trail (absent while signing in). */
  actorId?: string;
  /** Recorded in the same transaction as the code. */
  event?: DomainEvent;
}

/**
 * Issuing a one-time code by SMS, the one way it is done: the phone's budget (a cooldown and a
 * daily cap) is spent first; the new code replaces the previous unused one of its purpose (of
 * its challenge, for sign-in codes) and is stored only as a keyed hash; the text, naming the
 * code's real lifetime, is written to the outbox in the same transaction, so it is sent (by a
 * worker, with retries) exactly when the code was stored.
 */
export function createSmsCodes(deps: {
  clock: Clock;
  limits: RateLimits;
  hashCode: CodeHasher;
  outbox: Outbox;
  inTransaction: InTransaction;
}) {
  return async function sendSmsCode(ctx: RequestContext, req: SmsCodeRequest): Promise<void> {
    await deps.limits.sms(req.phone);
    const code = newSmsCode();
    await deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: req.actorId }, async (tx, record) => {
      const now = deps.clock.now();
      // A challenge's failure count stays as it is when its code is replaced.
      const previous = req.challengeId
        ? { challengeId: req.challengeId, usedAt: null }
        : { user: req.user.id, purpose: req.purpose, usedAt: null };
      await tx.nativeUpdate(OneTimeCode, previous, { usedAt: now });
      tx.persist(
        new OneTimeCode({
          user: ref(req.user),
          purpose: req.purpose,
          challengeId: req.challengeId,
          codeHash: deps.hashCode('sms', code),
          expiresAt: new Date(now.getTime() + SMS_CODE_TTL_SECONDS * 1000),
          now,
        }),
      );
      if (req.event) record(req.event);
      const minutes = Math.round(SMS_CODE_TTL_SECONDS / 60);
      await deps.outbox.sms(
        tx,
        req.phone,
        `Your elcorp ${WORDING[req.purpose]} code is ${code}. It expires in ${minutes} minutes.`,
      );
    });
  };
}

export type SendSmsCode = ReturnType<typeof createSmsCodes>;
