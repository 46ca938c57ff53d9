import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import { UnauthenticatedReason, unauthenticated } from '../../kernel/errors.js';
import { type Role, UserStatus } from '../domain/enums.js';
import { User } from '../domain/user.entity.js';
import { eagerUserColumns } from '../persistence/user-queries.js';
import { type AccessTokens, InvalidAccessTokenError } from './access-tokens.js';
import { accountViewOf } from './account-view.js';
import type { LiveSessionCache } from './live-session-cache.js';
import type { Authenticated } from './request-context.js';

export interface Credentials {
  authorization?: string;
  /** The X-Device-Id header; when present it must match the token's device. */
  deviceId?: string;
}

/**
 * Turns a bearer access token into a Principal and its account: the signature and claims are
 * checked offline (once per token: access-tokens.ts caches what it verified), then the session
 * must still be live and the account active. A revocation takes effect on the next request that
 * reads the database, and on every instance's cache as soon as PostgreSQL's notification arrives
 * (within a second, or the cache is not used).
 */
export function createAuthenticator(deps: {
  accessTokens: AccessTokens;
  clock: Clock;
  /** Live sessions this instance may answer from without a database read (see live-session-cache.ts). */
  sessions: LiveSessionCache;
}) {
  return async function authenticate(
    /** The request's unit of work, forked on first call: a session served from the cache needs none. */
    unitOfWork: () => EntityManager,
    credentials: Credentials,
  ): Promise<Authenticated> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(credentials.authorization ?? '');
    // No bearer token at all counts as an invalid one: the client has no usable token to refresh.
    if (!match) throw unauthenticated('Authentication required', UnauthenticatedReason.TOKEN_INVALID);
    let claims: Awaited<ReturnType<AccessTokens['verify']>>;
    try {
      claims = await deps.accessTokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidAccessTokenError) {
        // Expired only for a genuine token whose sole fault is its age; anything else is invalid.
        throw err.expired
          ? unauthenticated('Access token has expired', UnauthenticatedReason.TOKEN_EXPIRED)
          : unauthenticated('Access token is invalid', UnauthenticatedReason.TOKEN_INVALID);
      }
      throw err;
    }
    if (credentials.deviceId !== undefined && credentials.deviceId !== claims.deviceId) {
      throw unauthenticated(
        'Access token was issued to another device',
        UnauthenticatedReason.DEVICE_MISMATCH,
      );
    }
    // The session must be live and its account active: from this instance's cache of live sessions
    // when it can be trusted, else one query. Raw SQL (building this join through the ORM cost a
    // third of a `me` request's CPU). The row is mapped into this request's identity map only when
    // the request asks for the account entity, so a request that needs the account (me) reads no
    // more. Lazy columns (password hash, TOTP secrets) are never read here.
    const now = deps.clock.now();
    const hit = deps.sessions.get(claims.sessionId, claims.userId);
    const cached = hit && hit.sessionExpiresAt > now ? hit : undefined;
    let userRow = cached?.userRow;
    if (!userRow) {
      const ticket = deps.sessions.begin();
      const em = unitOfWork();
      const rows: Record<string, unknown>[] = await em.getConnection().execute(
        `select ${eagerUserColumns(em, 'u')}, s.expires_at as session_expires_at
           from sessions s join users u on u.id = s.user_id
          where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > ?`,
        [claims.sessionId, claims.userId, now],
      );
      if (rows[0]) {
        const { session_expires_at: sessionExpiresAt, ...row } = rows[0];
        userRow = row;
        if (row.status === UserStatus.ACTIVE)
          deps.sessions.store(ticket, claims.sessionId, claims.userId, {
            userRow: row,
            sessionExpiresAt: new Date(sessionExpiresAt as string | Date),
          });
      }
    }
    if (!userRow || userRow.status !== UserStatus.ACTIVE)
      throw unauthenticated('Session has ended', UnauthenticatedReason.SESSION_ENDED);
    const row = userRow;
    let user: User | undefined;
    const mapped = () => {
      if (!user) {
        const em = unitOfWork();
        // The account this request already loaded, if it did, is fresher than the cached row and
        // may hold changes: never overwritten (a bare reference to it is not loaded, and is filled
        // in). Else the row is mapped, a copy (mapping must never change the cached row).
        const loaded = em.getUnitOfWork().getById<User>(User.name, claims.userId);
        user = loaded && wrap(loaded).isInitialized() ? loaded : em.map(User, { ...row });
      }
      return user;
    };
    return {
      // The query matched the token's user id; the role is the account's, not the token's claim.
      principal: {
        userId: claims.userId,
        sessionId: claims.sessionId,
        deviceId: claims.deviceId,
        role: row.role as Role,
      },
      user: mapped,
      account: () => {
        if (!cached) return mapped();
        cached.view ??= accountViewOf(mapped());
        return cached.view;
      },
    };
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
