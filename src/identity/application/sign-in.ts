import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunStatement } from '../../adapters/database/prepared-statements.js';
import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../kernel/clock.js';
import { describeError } from '../../kernel/describe-error.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { invalidCredentials } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { DeviceTrust } from '../domain/device-trust.entity.js';
import type { MfaMethod, Role } from '../domain/enums.js';
import { Session, SessionRevocation } from '../domain/session.entity.js';
import { type SignInVia, User } from '../domain/user.entity.js';
import { summarizeUserAgent } from '../domain/user-agent.js';
import type { AuditContext, AuditTrail } from '../persistence/audit-chain.js';
import type { DeviceTrustCounter } from '../persistence/device-trust-counter.js';
import type { LockoutCounter, ReservedAccountTry } from '../persistence/lockout-counter.js';
import { completeSignIn, REPLACED_SESSION } from '../persistence/sign-in-completion.js';
import type { InTransaction } from '../persistence/unit-of-work.js';
import type { DeviceTrustService } from './device-trust.js';
import type { MailMessages } from './mail-messages.js';
import type { MfaChallenges } from './mfa-challenges.js';
import type { Outbox } from './outbox.js';
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

/** A reserved try of an attempt budget, to be settled exactly once. */
export interface SignInTry {
  /** Counts the try as a failure; returns the events to record (the lockout it started). */
  wrongSecret(): Promise<DomainEvent[]>;
  /** Gives the try back. */
  release(): Promise<void>;
  /** The sign-in completed: its transaction cleared the count. */
  succeeded(): void;
  settled(): boolean;
}

export type SignInOutcome = IssuedSession & { deviceTrustToken: string; deviceTrustTokenExpiresAt: Date };

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
  outbox: Outbox;
  messages: MailMessages;
  runStatement: RunStatement;
}) {
  return {
    /**
     * Spends one try of the budget before a secret is compared; undefined when none is left. The
     * try must then be settled on every path: `wrongSecret` counts it, `release` gives it back,
     * a completed sign-in clears the count; `settleAfter` gives back whatever was left unsettled
     * when the attempt ends some other way (an error, the database gone).
     */
    async reserveTry(
      em: EntityManager,
      userId: string,
      budget: AttemptBudget,
    ): Promise<SignInTry | undefined> {
      const { settle, settled } = settlement();
      if (budget.kind === 'none') {
        return {
          wrongSecret: async () => [],
          release: async () => {},
          succeeded: () => {},
          settled: () => true,
        };
      }
      if (budget.kind === 'device') {
        if (!(await deps.deviceTrustCounter.reserveTryNow(em, budget.trust.id))) return undefined;
        return {
          async wrongSecret() {
            if (settle()) await deps.deviceTrustCounter.forgetIfExhaustedNow(em, budget.trust.id);
            return [];
          },
          async release() {
            if (settle()) await deps.deviceTrustCounter.giveBackTryNow(em, budget.trust.id);
          },
          succeeded: () => void settle(),
          settled,
        };
      }
      const reserved = await deps.lockout.reserveTryNow(em, userId, deps.clock.now());
      return reserved && this.heldTry(em, userId, reserved);
    },

    /** The SignInTry of a try already taken from the account's budget (LockoutCounter). */
    heldTry(em: EntityManager, userId: string, reserved: ReservedAccountTry): SignInTry {
      const { settle, settled } = settlement();
      return {
        async wrongSecret() {
          if (!settle() || !reserved.lockedUntil) return [];
          const lockedUntil = reserved.lockedUntil;
          deps.logger.warn({ userId, lockedUntil }, 'account locked after failed sign-ins');
          return [
            { type: 'user.locked', subjectId: userId, data: { by: 'failed_logins', until: lockedUntil } },
          ];
        },
        async release() {
          if (settle()) await deps.lockout.giveBackTryNow(em, userId, reserved);
        },
        succeeded: () => void settle(),
        settled,
      };
    },

    /**
     * Runs an attempt holding a reserved try and gives the try back if the attempt ended (an
     * error included) without settling it. A failure to give it back is logged: the count errs
     * toward refusing, and a lockout it started still ends by itself.
     */
    async settleAfter<T>(attempt: SignInTry, run: () => Promise<T>): Promise<T> {
      try {
        return await run();
      } finally {
        if (!attempt.settled()) {
          await attempt
            .release()
            .catch((err: unknown) =>
              deps.logger.warn(
                { error: describeError(err) },
                'a reserved sign-in try could not be given back',
              ),
            );
        }
      }
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
      attempt: { device: SignInDevice; budget: AttemptBudget; factor: 'password' | 'wallet'; try: SignInTry },
    ): Promise<SignInOutcome | MfaChallengeOutcome> {
      const viaTrustedDevice = attempt.budget.kind === 'device';
      if (!user.mfaEnabled)
        return this.complete(ctx, user.id, {
          device: attempt.device,
          via: viaTrustedDevice ? 'trusted_device' : attempt.factor,
          try: attempt.try,
        });
      await attempt.try.release();
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
     * live one on the same device) and its trust token rotates, all written by one statement
     * (sign-in-completion.ts) with their audit entries. `within` runs first, in the same
     * transaction. An account that is no longer active (suspended meanwhile) gets no session.
     */
    async complete(
      ctx: RequestContext,
      /** The account's id, or (a sign-up) the account to create in the transaction. */
      account: string | ((tx: EntityManager) => Promise<User>),
      how: {
        device: SignInDevice;
        via: SignInVia;
        events?: DomainEvent[];
        within?: (tx: EntityManager) => Promise<void>;
        /** The reserved try, settled once the transaction commits (the sign-in cleared the count). */
        try?: SignInTry;
      },
    ): Promise<SignInOutcome> {
      const who: AuditContext = {
        meta: ctx.meta,
        actorId: typeof account === 'string' ? account : undefined,
      };
      const { session, refreshToken } = deps.sessions.prepare(how.device, ctx.meta);
      let inactive = false;
      const attempt = () =>
        deps.inTransaction(ctx.em, who, async (tx, _record, stage) => {
          await how.within?.(tx);
          const userId = typeof account === 'string' ? account : (await account(tx)).id;
          // What `within` changed, or the new account, is written before the statement reads it.
          await tx.flush();
          who.actorId = userId;
          const trust = await deps.deviceTrust.mint(userId, how.device.id);
          const signedIn = User.signedIn(userId, how.via);
          // In the order they happened: what `within` or the new account recorded, then the sign-in.
          const before = [...stage.takeRecorded(), ...(how.events ?? []), signedIn.event];
          const opened = Session.created(userId, session.id, session.deviceId);
          const done = await completeSignIn(
            tx,
            deps.runStatement,
            {
              userId,
              now: session.createdAt,
              clearsLockout: signedIn.clearsLockout,
              session,
              trust: { id: randomUUID(), tokenId: trust.jti, expiresAt: trust.expiresAt },
            },
            deps.audit.stagedInOrder(who, [
              { events: before },
              { fromRows: 'replaced', type: Session.REVOKED, fields: REPLACED_SESSION },
              { events: [opened] },
            ]),
          );
          if (!done) {
            inactive = true;
            throw invalidCredentials();
          }
          stage.staged([
            ...before,
            ...(done.replacedSessionId
              ? [Session.revoked(userId, done.replacedSessionId, SessionRevocation.REPLACED)]
              : []),
            opened,
          ]);
          let user: User | undefined;
          // Mapped (its encrypted fields read) only for an answer that shows the account.
          const mapped = () => (user ??= ctx.em.map(User, { ...done.accountRow }));
          // The owner hears of a device this account never signed in on (not of the one that made it).
          if (done.newDevice && typeof account === 'string') {
            await deps.outbox.mail(
              tx,
              // The address as stored (plain text, as the sign-in looks it up): no entity to map.
              deps.messages.newDevice(done.accountRow.email as string, {
                device: how.device.name ?? 'an unnamed device',
                client: summarizeUserAgent(ctx.meta.userAgent) ?? undefined,
                address: ctx.meta.ip || undefined,
                at: session.createdAt,
              }),
            );
          }
          // The session as its owner sees it: not the stored hash of its refresh token.
          const { refreshTokenHash: _stored, ...view } = session;
          const issued = await deps.sessions.issue(
            { userId, role: done.accountRow.role as Role, account: mapped },
            view,
            refreshToken,
          );
          return { ...issued, deviceTrustToken: trust.token, deviceTrustTokenExpiresAt: trust.expiresAt };
        });
      // Another sign-in on the same device committed a session while this statement waited for
      // the account's row: its snapshot did not show that session to replace, so the insert met
      // the one-live-session index. Once more, with a snapshot that shows it.
      const completing = attempt().catch((err: unknown) => {
        if (err instanceof UniqueConstraintViolationException && isLiveDeviceIndex(err)) return attempt();
        throw err;
      });
      const outcome = await completing.catch((err: unknown) => {
        // Suspended, locked by an admin or deleted since its secret was checked: no session, and
        // the refusal is audited as every failed sign-in is.
        if (!inactive) throw err;
        return this.fail(ctx, [
          {
            type: 'login.failed',
            subjectId: who.actorId,
            data: { reason: 'account_not_active', deviceId: how.device.id },
          },
        ]);
      });
      how.try?.succeeded();
      return outcome;
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;

/** Whether a unique violation is of the index that allows one live session per device. */
const isLiveDeviceIndex = (err: UniqueConstraintViolationException) =>
  (err as { constraint?: string }).constraint === 'sessions_live_device_unique';

/** A try's settlement: `settle` answers true only the first time it is called. */
function settlement() {
  let done = false;
  return {
    settle: () => {
      const first = !done;
      done = true;
      return first;
    },
    settled: () => done,
  };
}
