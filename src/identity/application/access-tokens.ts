import { hash } from 'node:crypto';
import { InvalidTokenError, type SignedTokens } from '../../adapters/tokens/signed-tokens.js';
import type { Clock } from '../../kernel/clock.js';
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

/** Verified tokens kept per instance at most; beyond it, the first verified go first. */
export const VERIFIED_TOKENS_CACHED = 10_000;

/**
 * Access tokens: `typ: at+jwt`, for other services (`aud`), 15 minutes by default. A token's
 * signature and claims are checked once: what verified is kept, by the token's SHA-256 (never the
 * token itself), until its `exp`, so the requests that follow skip the signature check. Whether
 * its session is still live is asked at every request all the same (authenticate.ts).
 */
export function createAccessTokens(deps: {
  tokens: SignedTokens;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
  cacheSize?: number;
}) {
  const cacheSize = deps.cacheSize ?? VERIFIED_TOKENS_CACHED;
  const verified = new Map<string, AccessTokenClaims>();

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
    const key = hash('sha256', token, 'base64url');
    const known = verified.get(key);
    if (known) {
      // As jose judges expiry: whole seconds, expired once exp is reached.
      if (known.expiresAt.getTime() / 1000 > Math.floor(deps.clock.now().getTime() / 1000)) return known;
      verified.delete(key);
      throw new InvalidTokenError('exp', { expired: true });
    }
    const claims = await verifySignature(token);
    if (cacheSize > 0) {
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
      verified.set(key, claims);
    }
    return claims;
  }

  async function verifySignature(token: string): Promise<AccessTokenClaims> {
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

  return { issue, verify, canIssue: () => deps.tokens.canSign() };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
