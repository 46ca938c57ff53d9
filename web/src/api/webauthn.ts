import { ConsoleError } from './errors';

/**
 * Passkeys in this browser: the service's options (WebAuthn's dictionaries as JSON, binary fields
 * in base64url) turned into the objects navigator.credentials takes, and the credential it returns
 * turned back into the JSON the service reads (the shape of `PublicKeyCredential.toJSON()`).
 *
 * The conversion is done here rather than with the browser's own `parse…OptionsFromJSON` and
 * `toJSON()`, so that the console works in every browser that has WebAuthn at all, those
 * without the newer JSON helpers included. Only the binary fields are converted; every other
 * field goes through as the service sent it.
 */

type Json = Record<string, unknown>;

interface CredentialDescriptorJson {
  id: string;
  type: string;
  transports?: string[];
}

/** Whether this browser can use passkeys at all (WebAuthn, in a secure context). */
export const passkeysSupported = (): boolean =>
  typeof window !== 'undefined' &&
  window.isSecureContext &&
  typeof window.PublicKeyCredential === 'function' &&
  typeof navigator.credentials?.create === 'function';

/** base64url (no padding) → bytes. */
export function fromBase64Url(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** bytes → base64url (no padding). */
export function toBase64Url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptors = (list: unknown): PublicKeyCredentialDescriptor[] | undefined =>
  Array.isArray(list)
    ? (list as CredentialDescriptorJson[]).map((d) => ({
        ...d,
        type: 'public-key',
        id: fromBase64Url(d.id),
        transports: d.transports as AuthenticatorTransport[] | undefined,
      }))
    : undefined;

/** The options of beginPasskeyRegistration, as navigator.credentials.create takes them. */
export function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const user = json.user as { id: string; name: string; displayName: string };
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: fromBase64Url(json.challenge as string),
    user: { ...user, id: fromBase64Url(user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** The options of beginPasskeyLogin, as navigator.credentials.get takes them. */
export function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  return {
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: fromBase64Url(json.challenge as string),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

/** The fields every credential shares in its JSON form. */
function credentialJson(credential: PublicKeyCredential, response: Json): Json {
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
}

/** A new credential from navigator.credentials.create, as finishPasskeyRegistration reads it. */
export function registrationJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAttestationResponse;
  return credentialJson(credential, {
    clientDataJSON: toBase64Url(response.clientDataJSON),
    attestationObject: toBase64Url(response.attestationObject),
    transports: typeof response.getTransports === 'function' ? response.getTransports() : undefined,
  });
}

/** An assertion from navigator.credentials.get, as finishPasskeyLogin reads it. */
export function assertionJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAssertionResponse;
  return credentialJson(credential, {
    clientDataJSON: toBase64Url(response.clientDataJSON),
    authenticatorData: toBase64Url(response.authenticatorData),
    signature: toBase64Url(response.signature),
    userHandle: response.userHandle ? toBase64Url(response.userHandle) : undefined,
  });
}

/**
 * What went wrong in the browser's passkey dialog, in words for the person: a closed or timed-out
 * dialog (NotAllowedError) is no fault, so it gets a calm message and nothing is logged.
 */
function dialogError(err: unknown, ceremony: 'create' | 'get'): ConsoleError {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'AbortError':
      return new ConsoleError(
        'No passkey was used: the dialog was closed or timed out.',
        'PASSKEY_CANCELLED',
      );
    case 'InvalidStateError':
      return new ConsoleError(
        ceremony === 'create'
          ? 'This device already holds a passkey for your account.'
          : 'This passkey cannot be used here.',
        'PASSKEY_REFUSED',
      );
    case 'SecurityError':
      return new ConsoleError(
        'This address cannot use passkeys. Open the console at its usual address.',
        'PASSKEY_REFUSED',
      );
    case 'NotSupportedError':
      return new ConsoleError(
        'This browser or device cannot make a passkey of the kind needed.',
        'PASSKEY_REFUSED',
      );
    default:
      return new ConsoleError('The browser could not use a passkey. Try again.', 'PASSKEY_REFUSED');
  }
}

function unsupported(): ConsoleError {
  return new ConsoleError('This browser cannot use passkeys.', 'PASSKEY_UNSUPPORTED');
}

/** Asks the browser to make a passkey with the service's creation options; its JSON form. */
export async function createPasskey(options: Json): Promise<Json> {
  if (!passkeysSupported()) throw unsupported();
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  } catch (err) {
    throw dialogError(err, 'create');
  }
  if (!(credential instanceof PublicKeyCredential)) throw dialogError(undefined, 'create');
  return registrationJson(credential);
}

/** Asks the browser for a passkey assertion with the service's request options; its JSON form. */
export async function getPasskey(options: Json): Promise<Json> {
  if (!passkeysSupported()) throw unsupported();
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  } catch (err) {
    throw dialogError(err, 'get');
  }
  if (!(credential instanceof PublicKeyCredential)) throw dialogError(undefined, 'get');
  return assertionJson(credential);
}
