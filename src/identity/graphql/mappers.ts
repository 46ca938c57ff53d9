import type { IssuedSession } from '../application/session-tokens.js';
import type { SignInOutcome } from '../application/sign-in.js';
import { AuthPayload } from './auth-payload.type.js';
import { SessionType } from './session.type.js';
import { UserType } from './user.type.js';

/** A refreshed or newly opened session as the AuthPayload clients read. */
export const toPayload = (issued: IssuedSession): AuthPayload =>
  Object.assign(new AuthPayload(), {
    accessToken: issued.accessToken,
    accessTokenExpiresAt: issued.accessTokenExpiresAt,
    refreshToken: issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
    user: UserType.from(issued.user),
    session: SessionType.from(issued.session, issued.session.id),
  });

/** A completed sign-in: the payload with the device's rotated trust token. */
export const toSignInPayload = (outcome: SignInOutcome): AuthPayload =>
  Object.assign(toPayload(outcome), { deviceTrustToken: outcome.deviceTrustToken });
