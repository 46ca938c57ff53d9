import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../../adapters/crypto/field-encryption.js';
import type { RunStatement } from '../../../adapters/database/prepared-statements.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import { hashRefreshToken, newRefreshToken } from '../../../adapters/tokens/refresh-tokens.js';
import type { Clock } from '../../../kernel/clock.js';
import { DomainError, ErrorCode, UnauthenticatedReason, unauthenticated } from '../../../kernel/errors.js';
import { RetiredRefreshToken } from '../../domain/retired-refresh-token.entity.js';
import { Session, SessionRevocation } from '../../domain/session.entity.js';
import {
  findSessionByTokenHash,
  isRetiredToken,
  lockAccountOfToken,
  lockSession,
  lockSessionByTokenHash,
  ROTATED_BY_TOKEN,
  rotateByToken,
  type Successor,
  spendRefreshBudget,
  writeRotation,
} from '../../persistence/session-rotation.js';
import type { InOneStatement, InTransaction, RecordEvent } from '../../persistence/unit-of-work.js';
import type { RequestContext } from '../request-context.js';
import type { IssuedSession, SessionTokens } from '../session-tokens.js';

export interface RefreshSessionInput {
  refreshToken: string;
  deviceId: string;
}

const GRACE_TOKEN_CONTEXT = 'sessions.grace_token';
const invalidRefreshToken = () =>
  unauthenticated('Refresh token is invalid or expired', UnauthenticatedReason.TOKEN_INVALID);
const sessionEnded = () => unauthenticated('Session has ended', UnauthenticatedReason.SESSION_ENDED);
const otherDevice = () =>
  unauthenticated('Refresh token was issued to another device', UnauthenticatedReason.DEVICE_MISMATCH);
const reused = () =>
  new DomainError(
    ErrorCode.REFRESH_TOKEN_REUSED,
    'Refresh token was already used; the session has been revoked',
  );

type Outcome = { issued: IssuedSession } | { reuse: true };

/** What decides whether a rotated-away token gets its session's current successor. */
interface GraceState {
  deviceId: string;
  generation: number;
  rotatedAt?: Date;
  hasGraceToken: boolean;
  /** Not revoked, not past its idle or absolute expiry. */
  active: boolean;
}

/**
 * Exchanges a refresh token for a new one and a new access token. The usual case, the current
 * token of an active session on its device, is rotated by one statement that finds the session
 * by the token and checks every condition under its row locks. When it writes nothing, a plain
 * read says why: an unknown token and a current one past its budget are refused at once, and
 * anything else is decided by one transaction holding the session row lock, so parallel
 * refreshes of one token are serialised. A rotated-away token
 * revokes the session, except the immediate predecessor within the grace window, which gets
 * the same successor.
 *
 * Every presentation that rotates or is handed the successor spends one of the session's refresh
 * budget, counted on the session row by the same statement (or transaction) that writes it: the
 * current token, and the immediate predecessor inside the grace window; both write a
 * `session.refreshed` audit entry (a hand-back's says `handedBack`). When the budget is spent
 * those are refused (RATE_LIMITED) and nothing is written. Other retired tokens spend nothing, so
 * a budget spent by the session's owner never stands in the way of reuse detection.
 */
export function createRefreshSession(deps: {
  clock: Clock;
  sessions: SessionTokens;
  encryption: FieldEncryption;
  limits: RateLimits;
  inTransaction: InTransaction;
  inOneStatement: InOneStatement;
  /** How the one-statement rotation is sent (a prepared statement where the connection allows). */
  runStatement: RunStatement;
  idleTtlSeconds: number;
  graceSeconds: number;
}) {
  /** The grace hand-back rule: the immediate predecessor, on its device, within the window. */
  function handsBackSuccessor(
    state: GraceState,
    retiredGeneration: number,
    deviceId: string,
    now: Date,
  ): boolean {
    return (
      state.active &&
      state.hasGraceToken &&
      state.deviceId === deviceId &&
      retiredGeneration === state.generation - 1 &&
      state.rotatedAt !== undefined &&
      now.getTime() - state.rotatedAt.getTime() <= deps.graceSeconds * 1000
    );
  }

  /** A new refresh token, and what a rotation to it writes. */
  function successor(): { refreshToken: string; successor: Successor } {
    const now = deps.clock.now();
    const refreshToken = newRefreshToken();
    return {
      refreshToken,
      successor: {
        refreshTokenHash: hashRefreshToken(refreshToken),
        graceTokenCiphertext: deps.encryption.encrypt(refreshToken, GRACE_TOKEN_CONTEXT),
        idleExpiresAt: Session.idleExpiry(now, deps.idleTtlSeconds),
        now,
        budget: deps.limits.refreshBudget,
      },
    };
  }

  /** The answer for a session whose account is loaded with it. */
  function issue(session: Session, refreshToken: string): Promise<IssuedSession> {
    const user = session.user.getEntity();
    return deps.sessions.issue(
      { userId: user.id, role: user.role, account: () => user },
      session,
      refreshToken,
    );
  }

  /** The rotation of a session locked in `tx`, with budget left. */
  async function rotate(
    tx: EntityManager,
    session: Session,
    tokenHash: string,
    record: RecordEvent,
  ): Promise<IssuedSession> {
    const next = successor();
    const rotated = await writeRotation(tx, session, tokenHash, next.successor);
    record(Session.refreshed(rotated.user.id, rotated.id, rotated.generation));
    return issue(rotated, next.refreshToken);
  }

  /**
   * The usual refresh, in one statement knowing only the presented token (rotateByToken): the
   * current token of an active session on this device with budget left, of an active account.
   * Undefined when it wrote nothing, and the caller reads why.
   */
  async function rotateAtOnce(
    ctx: RequestContext,
    tokenHash: string,
    deviceId: string,
  ): Promise<IssuedSession | undefined> {
    const next = successor();
    const rotated = await deps.inOneStatement({ meta: ctx.meta }, ROTATED_BY_TOKEN, (staged) =>
      rotateByToken(ctx.em, deps.runStatement, { tokenHash, deviceId }, next.successor, staged),
    );
    if (!rotated) return undefined;
    const { session, role, user } = rotated;
    return deps.sessions.issue({ userId: session.userId, role, account: user }, session, next.refreshToken);
  }

  async function replayed(
    tx: EntityManager,
    retired: RetiredRefreshToken,
    deviceId: string,
    record: RecordEvent,
  ): Promise<Outcome> {
    // The session row alone is locked (its account's already is, FOR SHARE): then read as it is.
    await lockSession(tx, retired.session.id);
    const session = await tx.findOne(
      Session,
      { id: retired.session.id, revokedAt: null },
      { populate: ['user', 'graceTokenCiphertext'], refresh: true },
    );
    if (!session) throw sessionEnded();
    const now = deps.clock.now();
    const withinGrace = handsBackSuccessor(
      {
        deviceId: session.deviceId,
        generation: session.generation,
        rotatedAt: session.rotatedAt,
        hasGraceToken: session.graceTokenCiphertext !== undefined,
        active: session.isActive(now),
      },
      retired.generation,
      deviceId,
      now,
    );
    if (withinGrace) {
      // A hand-back is never free: it spends one of the session's budget, or is refused.
      refuseIfSpent(session, now);
      await spendRefreshBudget(tx, session.id, now, deps.limits.refreshBudget);
      record(session.handedBack());
      const refreshToken = deps.encryption.decrypt(
        session.graceTokenCiphertext as string,
        GRACE_TOKEN_CONTEXT,
      );
      return { issued: await issue(session, refreshToken) };
    }
    session.revoke(SessionRevocation.REUSE_DETECTED, now);
    await tx.flush();
    return { reuse: true };
  }

  /**
   * Refuses (RATE_LIMITED) a presentation that would rotate or be handed back past the budget;
   * the statement that rotates or hands back spends it.
   */
  function refuseIfSpent(session: Session, now: Date): void {
    const waitMs = session.refreshWaitMs(now, deps.limits.refreshBudget);
    if (waitMs > 0) throw deps.limits.refreshRefused(waitMs);
  }

  return async function refresh(ctx: RequestContext, input: RefreshSessionInput): Promise<IssuedSession> {
    const { em, meta } = ctx;
    const tokenHash = hashRefreshToken(input.refreshToken);
    // A rotation commits before its access token is signed: without a usable key it would spend the
    // presented token and answer an error, so that is found out first.
    await deps.sessions.canIssue();
    const issued = await rotateAtOnce(ctx, tokenHash, input.deviceId);
    if (issued) return issued;
    // Not rotated: a plain read says why.
    const current = await findSessionByTokenHash(em, tokenHash);
    if (current) {
      // The current token past the budget: refused as read, with no transaction. A current token
      // is never reuse, and within a window the count only grows, so the lock could not decide
      // otherwise. Any other refusal is decided under the lock, which names it.
      const now = deps.clock.now();
      if (
        current.deviceId === input.deviceId &&
        current.isActive(now) &&
        current.user.getEntity().canAuthenticate
      )
        refuseIfSpent(current, now);
    } else if (!(await isRetiredToken(em, tokenHash))) {
      // Neither current nor retired: refused without a transaction.
      throw invalidRefreshToken();
    }
    const outcome = await deps.inTransaction(em, { meta }, async (tx, record): Promise<Outcome> => {
      // The account's row before any session's, as the one statement and everything that ends an
      // account's sessions take them: the other order could deadlock with those.
      await lockAccountOfToken(tx, tokenHash);
      const session = await lockSessionByTokenHash(tx, tokenHash);
      if (!session) {
        const retired = await tx.findOne(RetiredRefreshToken, { tokenHash });
        if (!retired) throw invalidRefreshToken();
        return replayed(tx, retired, input.deviceId, record);
      }
      if (session.deviceId !== input.deviceId) throw otherDevice();
      const user = session.user.getEntity();
      const now = deps.clock.now();
      if (!session.isActive(now) || !user.canAuthenticate) throw sessionEnded();
      refuseIfSpent(session, now);
      return { issued: await rotate(tx, session, tokenHash, record) };
    });
    // The revocation above is committed before the error is raised.
    if ('reuse' in outcome) throw reused();
    return outcome.issued;
  };
}
