import type { IssuedSession } from '../application/session-tokens.js';
import { AuthPayload } from './auth-payload.type.js';
import type { GraphQLContext } from './context.js';
import { SessionType } from './session.type.js';
import { UserType } from './user.type.js';

type Delivered = IssuedSession & { deviceTrustToken?: string; deviceTrustTokenExpiresAt?: Date };

/**
 * A signed-in session as the AuthPayload clients read. With the cookie transport (asked for by the
 * request, or forced when the refresh token came from a cookie) the refresh and device-trust tokens
 * go into HttpOnly cookies and are null in the body, so page script never sees them.
 */
export function toPayload(
  ctx: GraphQLContext,
  issued: Delivered,
  opts: { cookies?: boolean } = {},
): AuthPayload {
  const cookies = opts.cookies || ctx.tokens.cookies;
  if (cookies) {
    ctx.tokens.issue({
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
      deviceTrustToken: issued.deviceTrustToken,
      deviceTrustTokenExpiresAt: issued.deviceTrustTokenExpiresAt,
    });
  }
  const now = ctx.clock.now().getTime();
  const payload = Object.assign(new AuthPayload(), {
    accessToken: issued.accessToken,
    accessTokenExpiresAt: issued.accessTokenExpiresAt,
    accessTokenExpiresIn: Math.max(0, Math.floor((issued.accessTokenExpiresAt.getTime() - now) / 1000)),
    refreshToken: cookies ? null : issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
    session: SessionType.from(issued.session, issued.session.id),
    deviceTrustToken: cookies ? null : (issued.deviceTrustToken ?? null),
  });
  // The account only when the selection reads it.
  let user: UserType | undefined;
  Object.defineProperty(payload, 'user', {
    get: () => (user ??= UserType.from(issued.account())),
    enumerable: true,
  });
  return payload;
}
