import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { invalidCredentials } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { DeviceTrust } from '../domain/device-trust.entity.js';
import type { MfaMethod } from '../domain/enums.js';
import { User } from '../domain/user.entity.js';
import type { AuditTrail } from '../persistence/audit-chain.js';
import type { DeviceTrustCounter } from '../persistence/device-trust-counter.js';
import type { LockoutCounter } from '../persistence/lockout-counter.js';
import type { InTransaction } from '../persistence/unit-of-work.js';
import type { DeviceTrustService } from './device-trust.js';
import type { MfaChallenges } from './mfa-challenges.js';
import type { RequestContext } from './request-context.js';
import type { IssuedSession, SessionTokens } from './session-tokens.js';

/** The device a sign-in is for. */
export interface SignInDevice {
  id: string;
  name?: string;
}

/**
 * Whose failure budget an attempt spends: the account's lockout, a trusted device's own tries
 * (a device that proved earlier trust is not locked out by guesses made elsewhere), or none
 * (a second factor answered on a device that was trusted at the first).
 */
export type AttemptBudget = { kind: 'account' } | { kind: 'device'; trust: DeviceTrust } | { kind: 'none' };

/** How a sign-in was completed; a trusted device leaves a lockout caused elsewhere in force. */
export type SignInVia = 'password' | 'trusted_device' | 'mfa';

export type SignInOutcome = IssuedSession & { deviceTrustToken: string };

export interface MfaChallengeOutcome {
  challengeToken: string;
  methods: MfaMethod[];
  expiresAt: Date;
}

/**
 * The steps every way of signing in shares, written once: spending a try before a secret is
 * compared, recording a wrong one, failing without saying why, and completing the sign-in (a
 * second-factor challenge when the account has one, otherwise the device's session and trust
 * token, in one transaction with the audit entries).
 */
export function createSignIn(deps: {
  clock: Clock;
  lockout: LockoutCounter;
  deviceTrustCounter: DeviceTrustCounter;
  deviceTrust: DeviceTrustService;
  challenges: MfaChallenges;
  sessions: SessionTokens;
  limits: RateLimits;
  audit: AuditTrail;
  inTransaction: InTransaction;
  logger: Logger;
}) {
  return {
    /** Spends one try of the budget before a secret is compared; false when none is left. */
    reserveTry(em: EntityManager, userId: string, budget: AttemptBudget): Promise<boolean> {
      if (budget.kind === 'device') return deps.deviceTrustCounter.reserveTryNow(em, budget.trust.id);
      if (budget.kind === 'account') return deps.lockout.reserveTryNow(em, userId, deps.clock.now());
      return Promise.resolve(true);
    },

    /**
     * After a wrong secret on a reserved try: an exhausted trusted device stops being trusted;
     * the account's last try locks it. Returns the events to record with the failure.
     */
    async recordWrongSecret(
      em: EntityManager,
      userId: string,
      budget: AttemptBudget,
    ): Promise<DomainEvent[]> {
      if (budget.kind === 'device') {
        await deps.deviceTrustCounter.forgetIfExhaustedNow(em, budget.trust.id);
        return [];
      }
      if (budget.kind === 'none') return [];
      const lockedUntil = await deps.lockout.recordFailureNow(em, userId, deps.clock.now());
      if (!lockedUntil) return [];
      deps.logger.warn({ userId, lockedUntil }, 'account locked after failed sign-ins');
      return [{ type: 'user.locked', subjectId: userId, data: { by: 'failed_logins', until: lockedUntil } }];
    },

    /**
     * A failed attempt: the address's daily failure budget is charged when asked, the events go
     * to the audit trail in a transaction of their own, and the caller learns only
     * INVALID_CREDENTIALS.
     */
    async fail(
      ctx: RequestContext,
      events: DomainEvent[],
      opts: { chargeAddress: boolean } = { chargeAddress: false },
    ): Promise<never> {
      if (opts.chargeAddress) await deps.limits.loginFailed(ctx.meta.ip);
      await deps.audit.appendNow(ctx.em, events, { meta: ctx.meta });
      throw invalidCredentials();
    },

    /**
     * The first factor was right. With a second factor on the account the try is given back
     * (the second factor spends its own) and a challenge is issued; otherwise the sign-in
     * completes.
     */
    async firstFactorPassed(
      ctx: RequestContext,
      user: User,
      attempt: { device: SignInDevice; budget: AttemptBudget; factor: 'password' },
    ): Promise<SignInOutcome | MfaChallengeOutcome> {
      const viaTrustedDevice = attempt.budget.kind === 'device';
      if (!user.mfaEnabled)
        return this.complete(ctx, user.id, {
          device: attempt.device,
          via: viaTrustedDevice ? 'trusted_device' : attempt.factor,
        });
      if (attempt.budget.kind === 'account') await deps.lockout.giveBackTryNow(ctx.em, user.id);
      // No session and no usable token until the second factor.
      return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: user.id }, async (tx, record) => {
        record({
          type: `login.${attempt.factor}_verified`,
          subjectId: user.id,
          data: { deviceId: attempt.device.id },
        });
        return deps.challenges.issue(tx, user, attempt.device, viaTrustedDevice);
      });
    },

    /**
     * Completes a sign-in in one transaction: the account's failures are cleared (unless through
     * a trusted device), `login.succeeded` is recorded, the device's session opens (replacing a
     * live one on the same device) and its trust token rotates. `within` runs first, in the same
     * transaction.
     */
    complete(
      ctx: RequestContext,
      userId: string,
      how: {
        device: SignInDevice;
        via: SignInVia;
        events?: DomainEvent[];
        within?: (tx: EntityManager) => Promise<void>;
      },
    ): Promise<SignInOutcome> {
      return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx, record) => {
        await how.within?.(tx);
        const user = await tx.findOneOrFail(User, userId, { refresh: true });
        user.recordSuccessfulLogin(deps.clock.now(), how.via);
        for (const event of how.events ?? []) record(event);
        const issued = await deps.sessions.open(tx, user, how.device);
        return { ...issued, deviceTrustToken: await deps.deviceTrust.issue(tx, user, how.device.id) };
      });
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
