import { randomUUID, sign as signBytes } from 'node:crypto';
import { errors, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../../kernel/clock.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

const base64UrlJson = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Header parameters that would let a token choose its own verification key. */
const FORBIDDEN_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

export class InvalidTokenError extends Error {
  /**
   * True only for a token that is ours and sound in every other respect (signature, typ,
   * issuer, audience, claims) but past its `exp`: jose checks expiry last.
   */
  readonly expired: boolean;

  constructor(reason: string, opts: { expired?: boolean } = {}) {
    super(`invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
    this.expired = opts.expired ?? false;
  }
}

/**
 * JWS tokens signed with the service's key set. Each kind of token has its own
 * `typ` (access, device trust, MFA challenge), and verification insists on it,
 * so no kind of token is accepted in the place of another.
 */
export function createSignedTokens(deps: { keys: SigningKeys; clock: Clock; issuer: string }) {
  const { keys, clock } = deps;

  async function sign(opts: {
    typ: string;
    audience: string;
    subject: string;
    ttlSeconds: number;
    claims: JWTPayload;
  }) {
    const { kid, privateKey } = await keys.signingKey();
    const iat = Math.floor(clock.now().getTime() / 1000);
    const exp = iat + opts.ttlSeconds;
    const jti = randomUUID();
    // A compact JWS (RFC 7515) signed by Node's Ed25519 at once, on this thread. jose signs through
    // WebCrypto's asynchronous sign: about 150 µs of CPU per token against about 55 µs here.
    const signingInput = `${base64UrlJson({ alg: SIGNING_ALG, typ: opts.typ, kid })}.${base64UrlJson({
      ...opts.claims,
      iss: deps.issuer,
      aud: opts.audience,
      sub: opts.subject,
      jti,
      iat,
      exp,
    })}`;
    const signature = signBytes(null, Buffer.from(signingInput), privateKey).toString('base64url');
    return { token: `${signingInput}.${signature}`, jti, expiresAt: new Date(exp * 1000) };
  }

  async function verify(token: string, opts: { typ: string; audience: string; requiredClaims: string[] }) {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          if (FORBIDDEN_HEADERS.some((h) => h in header)) throw new InvalidTokenError('key-bearing header');
          const key = header.kid ? await keys.verificationKey(header.kid) : undefined;
          if (!key) throw new InvalidTokenError('unknown key');
          return key;
        },
        {
          algorithms: [SIGNING_ALG],
          issuer: deps.issuer,
          audience: opts.audience,
          typ: opts.typ,
          requiredClaims: ['sub', 'jti', 'iat', 'exp', ...opts.requiredClaims],
          currentDate: clock.now(),
        },
      );
      return payload as JWTPayload & { sub: string; jti: string; exp: number };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JOSEError || err instanceof TypeError || err instanceof SyntaxError) {
        throw new InvalidTokenError(err instanceof errors.JOSEError ? err.code : 'malformed', {
          expired: err instanceof errors.JWTExpired,
        });
      }
      throw err;
    }
  }

  /** Settles once a token can be signed (the active key is loaded); rejects as `sign` would. */
  async function canSign(): Promise<void> {
    await keys.signingKey();
  }

  return { sign, verify, canSign };
}

export type SignedTokens = ReturnType<typeof createSignedTokens>;
