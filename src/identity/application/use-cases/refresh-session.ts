import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../../adapters/crypto/field-encryption.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import { hashRefreshToken, newRefreshToken } from '../../../adapters/tokens/refresh-tokens.js';
import type { Clock } from '../../../kernel/clock.js';
import { DomainError, ErrorCode, unauthenticated } from '../../../kernel/errors.js';
import { RetiredRefreshToken } from '../../domain/retired-refresh-token.entity.js';
import { Session, SessionRevocation } from '../../domain/session.entity.js';
import {
  findSessionIdByTokenHash,
  lockSessionByTokenHash,
  writeRotation,
} from '../../persistence/session-rotation.js';
import type { InTransaction, RecordEvent } from '../../persistence/unit-of-work.js';
import type { RequestContext } from '../request-context.js';
import type { IssuedSession, SessionTokens } from '../session-tokens.js';

export interface RefreshSessionInput {
  refreshToken: string;
  deviceId: string;
}

const GRACE_TOKEN_CONTEXT = 'sessions.grace_token';
const invalidRefreshToken = () => unauthenticated('Refresh token is invalid or expired');
const reused = () =>
  new DomainError(
    ErrorCode.REFRESH_TOKEN_REUSED,
    'Refresh token was already used; the session has been revoked',
  );

type Outcome = { issued: IssuedSession } | { reuse: true };

/**
 * Exchanges a refresh token for a new one and a new access token. Rotation is
 * one transaction holding the session row lock, so parallel refreshes of one
 * token are serialised. A rotated-away token revokes the session, except the
 * immediate predecessor within the grace window, which gets the same successor.
 */
export function createRefreshSession(deps: {
  clock: Clock;
  sessions: SessionTokens;
  encryption: FieldEncryption;
  limits: RateLimits;
  inTransaction: InTransaction;
  idleTtlSeconds: number;
  graceSeconds: number;
}) {
  async function rotate(
    tx: EntityManager,
    session: Session,
    tokenHash: string,
    record: RecordEvent,
  ): Promise<IssuedSession> {
    const now = deps.clock.now();
    const refreshToken = newRefreshToken();
    const next = session.rotation(now, deps.idleTtlSeconds);
    const rotated = await writeRotation(tx, {
      sessionId: session.id,
      retiredTokenHash: tokenHash,
      retiredGeneration: session.generation,
      refreshTokenHash: hashRefreshToken(refreshToken),
      graceTokenCiphertext: deps.encryption.encrypt(refreshToken, GRACE_TOKEN_CONTEXT),
      generation: next.generation,
      expiresAt: next.expiresAt,
      now,
    });
    record(next.event);
    return {
      ...(await deps.sessions.accessFor(session.user.getEntity(), rotated)),
      refreshToken,
      refreshTokenExpiresAt: rotated.expiresAt,
    };
  }

  async function replayed(
    tx: EntityManager,
    retired: RetiredRefreshToken,
    deviceId: string,
  ): Promise<Outcome> {
    const session = await tx.findOne(
      Session,
      { id: retired.session.id, revokedAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['user', 'graceTokenCiphertext'] },
    );
    if (!session) throw invalidRefreshToken();
    const now = deps.clock.now();
    const withinGrace =
      session.deviceId === deviceId &&
      retired.generation === session.generation - 1 &&
      session.rotatedAt !== undefined &&
      now.getTime() - session.rotatedAt.getTime() <= deps.graceSeconds * 1000 &&
      session.graceTokenCiphertext !== undefined;
    if (withinGrace && session.isActive(now)) {
      const refreshToken = deps.encryption.decrypt(
        session.graceTokenCiphertext as string,
        GRACE_TOKEN_CONTEXT,
      );
      const user = session.user.getEntity();
      return {
        issued: {
          ...(await deps.sessions.accessFor(user, session)),
          refreshToken,
          refreshTokenExpiresAt: session.expiresAt,
        },
      };
    }
    session.revoke(SessionRevocation.REUSE_DETECTED, now);
    await tx.flush();
    return { reuse: true };
  }

  return async function refresh(ctx: RequestContext, input: RefreshSessionInput): Promise<IssuedSession> {
    const { em, meta } = ctx;
    const tokenHash = hashRefreshToken(input.refreshToken);
    // The session's budget is spent before the transaction opens: the PostgreSQL store takes a
    // pool connection of its own, and refreshes waiting for one while each holds another would
    // deadlock the pool as soon as there are as many of them as connections.
    const limitedSessionId = await findSessionIdByTokenHash(em, tokenHash);
    if (limitedSessionId) await deps.limits.refresh(limitedSessionId);
    const outcome = await deps.inTransaction(em, { meta }, async (tx, record): Promise<Outcome> => {
      const session = await lockSessionByTokenHash(tx, tokenHash);
      if (!session) {
        const retired = await tx.findOne(RetiredRefreshToken, { tokenHash });
        if (!retired) throw invalidRefreshToken();
        return replayed(tx, retired, input.deviceId);
      }
      // Only a token issued after the read above could get here unlimited; refuse it.
      if (session.id !== limitedSessionId) throw invalidRefreshToken();
      if (session.deviceId !== input.deviceId) throw invalidRefreshToken();
      const user = session.user.getEntity();
      if (!session.isActive(deps.clock.now()) || !user.canAuthenticate) throw invalidRefreshToken();
      return { issued: await rotate(tx, session, tokenHash, record) };
    });
    // The revocation above is committed before the error is raised.
    if ('reuse' in outcome) throw reused();
    return outcome.issued;
  };
}
