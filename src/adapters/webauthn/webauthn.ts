import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { badInput } from '../../kernel/errors.js';

/**
 * The WebAuthn library, loaded on the first ceremony: about 8 MiB that an instance whose users
 * hold no passkeys never needs. Reading and shaping responses below needs none of it.
 */
const library = () => import('@simplewebauthn/server');

/** base64url as WebAuthn writes it: the URL-safe alphabet, padding optional. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Bytes as unpadded base64url, the form WebAuthn responses carry user handles and ids in. */
export const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** COSE algorithms accepted for new passkeys: Ed25519, ES256 (P-256), RS256. */
const SUPPORTED_ALGORITHMS = [-8, -7, -257];
/** How long the browser lets the person answer, in milliseconds (the server-side challenge lives 5 minutes). */
const CEREMONY_TIMEOUT_MS = 120_000;
/** Longest base64url text accepted for any one field of a response (attestation objects included). */
const MAX_FIELD_LENGTH = 16_384;

/** A passkey as the verifier needs it. */
export interface StoredCredential {
  credentialId: string;
  publicKey: Uint8Array;
  transports?: string[];
}

/** A response that was well formed but did not verify; `reason` is a fixed category, safe to record. */
export class WebAuthnRejected extends Error {
  constructor(readonly reason: WebAuthnRejection) {
    super(`WebAuthn response rejected: ${reason}`);
    this.name = 'WebAuthnRejected';
  }
}

export type WebAuthnRejection =
  | 'wrong_origin'
  | 'wrong_rp_id'
  | 'wrong_challenge'
  | 'user_not_verified'
  | 'bad_signature'
  | 'unsupported_key'
  | 'invalid_response';

/**
 * The relying party of PUBLIC_WEB_URL: its id is the URL's host name (no port), the one origin
 * accepted is the URL's origin. Thin over @simplewebauthn/server: user verification is always
 * required, new passkeys must be discoverable (resident), attestation is not asked for, and a
 * library error becomes a WebAuthnRejected with a category (its text never leaves here).
 */
export function createWebAuthn(settings: { publicWebUrl: string; rpName: string }) {
  const url = new URL(settings.publicWebUrl);
  const rpId = url.hostname;
  const origin = url.origin;

  async function verifying<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WebAuthnRejected) throw err;
      throw new WebAuthnRejected(categorize(err));
    }
  }

  return {
    rpId,
    origin,

    async registrationOptions(opts: {
      userHandle: Uint8Array;
      userName: string;
      exclude: StoredCredential[];
    }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const { generateRegistrationOptions } = await library();
      return generateRegistrationOptions({
        rpName: settings.rpName,
        rpID: rpId,
        userID: new Uint8Array(opts.userHandle),
        userName: opts.userName,
        userDisplayName: opts.userName,
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: opts.exclude.map((c) => ({ id: c.credentialId, transports: c.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
    },

    async authenticationOptions(
      allow: StoredCredential[] = [],
    ): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const { generateAuthenticationOptions } = await library();
      return generateAuthenticationOptions({
        rpID: rpId,
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification: 'required',
        allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: c.transports })),
      });
    },

    /** Verifies a registration answering `challenge`; WebAuthnRejected when it does not verify. */
    async verifyRegistration(response: RegistrationResponseJSON, challenge: string) {
      // The library loads outside `verifying`: a failure to load is an internal error, not a rejection.
      const { verifyRegistrationResponse } = await library();
      return verifying(async () => {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpId,
          requireUserVerification: true,
          supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        });
        if (!result.verified) throw new WebAuthnRejected('bad_signature');
        const info = result.registrationInfo;
        return {
          credentialId: info.credential.id,
          publicKey: info.credential.publicKey,
          counter: info.credential.counter,
          transports: info.credential.transports ?? [],
          aaguid: info.aaguid,
          multiDevice: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
        };
      });
    },

    /**
     * Verifies an assertion answering `challenge` with a stored credential. The signature counter
     * is returned, not judged: the caller compares it with the stored one (and records a regression).
     */
    async verifyAuthentication(
      response: AuthenticationResponseJSON,
      challenge: string,
      credential: StoredCredential,
    ) {
      const { verifyAuthenticationResponse } = await library();
      return verifying(async () => {
        const result = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpId,
          requireUserVerification: true,
          // Counter 0 here: the library then never refuses on the counter, which the caller judges.
          credential: {
            id: credential.credentialId,
            publicKey: new Uint8Array(credential.publicKey),
            counter: 0,
          },
        });
        if (!result.verified) throw new WebAuthnRejected('bad_signature');
        const info = result.authenticationInfo;
        return { counter: info.newCounter, backedUp: info.credentialBackedUp };
      });
    },
  };
}

export type WebAuthn = ReturnType<typeof createWebAuthn>;

/** A library error as a category: its text names origins and challenges, and is never passed on. */
function categorize(err: unknown): WebAuthnRejection {
  const message = err instanceof Error ? err.message : '';
  if (/origin/i.test(message)) return 'wrong_origin';
  if (/RP ?ID/i.test(message)) return 'wrong_rp_id';
  if (/challenge/i.test(message)) return 'wrong_challenge';
  if (/verif(y|ied|ication)/i.test(message) && /user/i.test(message)) return 'user_not_verified';
  if (/alg|public key/i.test(message)) return 'unsupported_key';
  if (/signature/i.test(message)) return 'bad_signature';
  return 'invalid_response';
}

const isBase64Url = (value: unknown, optional = false): boolean =>
  (optional && (value === undefined || value === null)) ||
  (typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_FIELD_LENGTH &&
    BASE64URL.test(value.replace(/=/g, '')));

const malformed = (what: string) => badInput('response', `The WebAuthn response is malformed: ${what}`);

/** The common part of both responses: `{ id, rawId, type: "public-key", response: { clientDataJSON } }`. */
function credentialShape(value: unknown): { id: string; response: Record<string, unknown> } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw malformed('not an object');
  const v = value as Record<string, unknown>;
  if (!isBase64Url(v.id) || !isBase64Url(v.rawId)) throw malformed('id and rawId must be base64url');
  if (v.type !== 'public-key') throw malformed('type must be "public-key"');
  const response = v.response;
  if (!response || typeof response !== 'object' || Array.isArray(response))
    throw malformed('response.response must be an object');
  const r = response as Record<string, unknown>;
  if (!isBase64Url(r.clientDataJSON)) throw malformed('clientDataJSON must be base64url');
  return { id: v.id as string, response: r };
}

/** A registration response (navigator.credentials.create as JSON); BAD_USER_INPUT (field `response`) when malformed. */
export function parseRegistrationResponse(value: unknown): RegistrationResponseJSON {
  const { response } = credentialShape(value);
  if (!isBase64Url(response.attestationObject)) throw malformed('attestationObject must be base64url');
  return value as RegistrationResponseJSON;
}

/** An assertion (navigator.credentials.get as JSON); BAD_USER_INPUT (field `response`) when malformed. */
export function parseAuthenticationResponse(value: unknown): AuthenticationResponseJSON {
  const { response } = credentialShape(value);
  if (!isBase64Url(response.authenticatorData) || !isBase64Url(response.signature))
    throw malformed('authenticatorData and signature must be base64url');
  if (!isBase64Url(response.userHandle, true)) throw malformed('userHandle must be base64url');
  return value as AuthenticationResponseJSON;
}

/**
 * The challenge a response answers, read from its clientDataJSON (not yet verified: it only finds
 * the server-side challenge, which verification then checks). BAD_USER_INPUT when unreadable.
 */
export function challengeOf(response: { response: { clientDataJSON: string } }): string {
  let challenge: unknown;
  try {
    const clientData = JSON.parse(
      Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'),
    );
    challenge = clientData?.challenge;
  } catch {
    challenge = undefined;
  }
  if (typeof challenge !== 'string' || !isBase64Url(challenge) || challenge.length > 512)
    throw malformed('clientDataJSON names no challenge');
  return challenge;
}
