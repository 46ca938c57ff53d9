import type { EntityManager } from '@mikro-orm/postgresql';
import { type AccessTokens, InvalidAccessTokenError } from '../security/access-tokens.js';
import type { Clock } from '../shared/clock.js';
import { unauthenticated } from '../shared/errors.js';
import { UserStatus } from './enums.js';
import type { Principal } from './principal.js';
import { Session } from './session.entity.js';

export interface Credentials {
  authorization?: string;
  /** The X-Device-Id header; when present it must match the token's device. */
  deviceId?: string;
}

/**
 * Turns a bearer access token into a Principal: the signature and claims are
 * checked offline, then the session must still be live and the account active,
 * so a revocation takes effect on the next request.
 */
export function createAuthenticator(deps: { accessTokens: AccessTokens; clock: Clock }) {
  return async function authenticate(em: EntityManager, credentials: Credentials): Promise<Principal> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(credentials.authorization ?? '');
    if (!match) throw unauthenticated();
    let claims: Awaited<ReturnType<AccessTokens['verify']>>;
    try {
      claims = await deps.accessTokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidAccessTokenError) throw unauthenticated('Access token is invalid or expired');
      throw err;
    }
    if (credentials.deviceId !== undefined && credentials.deviceId !== claims.deviceId) {
      throw unauthenticated('Access token was issued to another device');
    }
    // One query: the session must be live and its account active. The user lands in this
    // request's identity map, so resolvers that need it (me) read it without another query.
    const session = await em.findOne(
      Session,
      { id: claims.sessionId, user: claims.userId, revokedAt: null, expiresAt: { $gt: deps.clock.now() } },
      { populate: ['user'] },
    );
    const user = session?.user.getEntity();
    if (!user || user.status !== UserStatus.ACTIVE) throw unauthenticated('Session has ended');
    return { userId: user.id, sessionId: claims.sessionId, deviceId: claims.deviceId, role: user.role };
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
