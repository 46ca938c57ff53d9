import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { recordSecretsIn } from './log-scan';

type Json = Record<string, unknown>;

/** What a test may make an authenticator or a browser do wrong, one ceremony at a time. */
export interface CeremonyOptions {
  /** The origin the "browser" puts into clientDataJSON (default: the authenticator's). */
  origin?: string;
  /** The RP id whose hash goes into authenticatorData (default: the one in the options). */
  rpId?: string;
  /** Whether the user was verified (PIN, biometric); default true. */
  userVerified?: boolean;
  /** Answer this challenge instead of the options' one. */
  challenge?: string;
  /** Sign with this credential (by id) instead of the first one the options allow. */
  credentialId?: string;
  /** Report this signature counter instead of the next one. */
  counter?: number;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
}

interface Credential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
/** Any 16 bytes name an authenticator model; this one is the test's own. */
const AAGUID = Buffer.from('7e57a07e57a07e57a07e57a07e57a07e', 'hex');

/**
 * A software passkey authenticator with the browser's part, for tests: it answers the options of
 * beginPasskeyRegistration / beginPasskeyLogin the way navigator.credentials.create/get would
 * (returning `credential.toJSON()`), with an ES256 key from node:crypto, "none" attestation,
 * resident (discoverable) credentials, and a signature counter that counts up, or stays 0 when
 * made with `{ counter: 'none' }` as many platform authenticators do.
 */
export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(
    readonly origin: string,
    private readonly opts: { counter: 'counting' | 'none' } = { counter: 'counting' },
  ) {}

  /** navigator.credentials.create({ publicKey: options }), as JSON. */
  create(options: Json, how: CeremonyOptions = {}): Json {
    const rp = options.rp as { id: string };
    const user = options.user as { id: string };
    const rpId = how.rpId ?? rp.id;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const credentialId = randomBytes(32);
    const coseKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | FLAG_AT | (how.userVerified === false ? 0 : FLAG_UV)]),
      u32(0),
      AAGUID,
      idLength,
      credentialId,
      coseKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    const id = b64url(credentialId);
    this.credentials.push({ id, privateKey, rpId, userHandle: user.id, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options, how),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get({ publicKey: options }), as JSON. */
  get(options: Json, how: CeremonyOptions = {}): Json {
    const allowed = ((options.allowCredentials as { id: string }[] | undefined) ?? []).map((c) => c.id);
    const credential = this.credentials.find((c) =>
      how.credentialId ? c.id === how.credentialId : allowed.length === 0 || allowed.includes(c.id),
    );
    if (!credential) throw new Error('the software authenticator holds no credential these options allow');
    if (this.opts.counter === 'counting') credential.counter += 1;
    const authData = Buffer.concat([
      sha256(how.rpId ?? (options.rpId as string)),
      Buffer.from([FLAG_UP | (how.userVerified === false ? 0 : FLAG_UV)]),
      u32(how.counter ?? credential.counter),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options, how);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
      credential.privateKey,
    );
    if (how.badSignature) signature[signature.length - 1] ^= 0x01;
    // The log scan looks for these: no log line may hold an assertion's signature.
    recordSecretsIn({ secret: [b64url(signature), b64url(authData)] });
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** A copy of this authenticator's keys (a cloned authenticator), with its own counters. */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(this.origin, this.opts);
    copy.credentials.push(...this.credentials.map((c) => ({ ...c })));
    return copy;
  }

  private clientData(type: string, options: Json, how: CeremonyOptions): string {
    return b64url(
      JSON.stringify({
        type,
        challenge: how.challenge ?? options.challenge,
        origin: how.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }
}
