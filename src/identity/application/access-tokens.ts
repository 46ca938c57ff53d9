import { InvalidTokenError, type SignedTokens } from '../../adapters/tokens/signed-tokens.js';
import type { Role } from '../domain/enums.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  deviceId: string;
  role: Role;
  jti: string;
  expiresAt: Date;
}

export { InvalidTokenError as InvalidAccessTokenError };

/** Access tokens: `typ: at+jwt`, for other services (`aud`), 15 minutes by default. */
export function createAccessTokens(deps: { tokens: SignedTokens; audience: string; ttlSeconds: number }) {
  async function issue(subject: { userId: string; sessionId: string; deviceId: string; role: Role }) {
    const { token, expiresAt } = await deps.tokens.sign({
      typ: ACCESS_TOKEN_TYP,
      audience: deps.audience,
      subject: subject.userId,
      ttlSeconds: deps.ttlSeconds,
      claims: { sid: subject.sessionId, did: subject.deviceId, role: subject.role },
    });
    return { token, expiresAt };
  }

  async function verify(token: string): Promise<AccessTokenClaims> {
    const payload = await deps.tokens.verify(token, {
      typ: ACCESS_TOKEN_TYP,
      audience: deps.audience,
      requiredClaims: ['sid', 'did', 'role'],
    });
    const { sub, sid, did, jti, role, exp } = payload;
    if (typeof sid !== 'string' || typeof did !== 'string' || typeof role !== 'string') {
      throw new InvalidTokenError('claims');
    }
    return {
      userId: sub,
      sessionId: sid,
      deviceId: did,
      role: role as Role,
      jti,
      expiresAt: new Date(exp * 1000),
    };
  }

  return { issue, verify };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
