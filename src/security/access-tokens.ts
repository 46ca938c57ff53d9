import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../identity/enums.js';
import type { Clock } from '../shared/clock.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Header parameters that would let a token choose its own verification key. */
const FORBIDDEN_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  deviceId: string;
  role: Role;
  jti: string;
  expiresAt: Date;
}

export class InvalidAccessTokenError extends Error {
  constructor(reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidAccessTokenError';
  }
}

/** Issues and verifies access tokens: JWS, EdDSA, `typ: at+jwt`, keys from our own key set only. */
export function createAccessTokens(deps: {
  keys: SigningKeys;
  clock: Clock;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}) {
  const { keys, clock } = deps;

  async function issue(subject: { userId: string; sessionId: string; deviceId: string; role: Role }) {
    const { kid, privateKey } = await keys.signingKey();
    const iat = Math.floor(clock.now().getTime() / 1000);
    const exp = iat + deps.ttlSeconds;
    const token = await new SignJWT({ sid: subject.sessionId, did: subject.deviceId, role: subject.role })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid })
      .setIssuer(deps.issuer)
      .setAudience(deps.audience)
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  async function verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          if (FORBIDDEN_HEADERS.some((h) => h in header))
            throw new InvalidAccessTokenError('key-bearing header');
          const key = header.kid ? await keys.verificationKey(header.kid) : undefined;
          if (!key) throw new InvalidAccessTokenError('unknown key');
          return key;
        },
        {
          algorithms: [SIGNING_ALG],
          issuer: deps.issuer,
          audience: deps.audience,
          typ: ACCESS_TOKEN_TYP,
          requiredClaims: ['sub', 'sid', 'did', 'jti', 'iat', 'exp', 'role'],
          currentDate: clock.now(),
        },
      );
      const { sub, sid, did, jti, role, exp } = payload;
      if (typeof sid !== 'string' || typeof did !== 'string' || typeof role !== 'string') {
        throw new InvalidAccessTokenError('claims');
      }
      return {
        userId: sub as string,
        sessionId: sid,
        deviceId: did,
        role: role as Role,
        jti: jti as string,
        expiresAt: new Date((exp as number) * 1000),
      };
    } catch (err) {
      if (err instanceof InvalidAccessTokenError) throw err;
      if (err instanceof errors.JOSEError || err instanceof TypeError || err instanceof SyntaxError) {
        throw new InvalidAccessTokenError(err instanceof errors.JOSEError ? err.code : 'malformed');
      }
      throw err;
    }
  }

  return { issue, verify };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
