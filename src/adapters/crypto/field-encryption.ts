import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { FieldKey } from '../../config/config.js';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class FieldDecryptionError extends Error {
  constructor(reason: string) {
    super(`Encrypted field cannot be decrypted: ${reason}`);
    this.name = 'FieldDecryptionError';
  }
}

/**
 * AES-256-GCM for columns that must not be readable at rest. The first key
 * encrypts; every key decrypts. Ciphertext format: `v1:<keyId>:<base64(nonce ‖ ciphertext ‖ tag)>`.
 * `context` (e.g. "users.mfa_secret") is bound as associated data, so a value
 * copied into another column does not decrypt.
 */
export function createFieldEncryption(keys: FieldKey[]) {
  if (keys.length === 0) throw new Error('at least one field encryption key is required');
  // Imported once: a raw key given to createCipheriv is imported again at every call.
  const byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
  const current = { id: keys[0].id, key: createSecretKey(keys[0].key) };

  function encrypt(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
    cipher.setAAD(Buffer.from(`${VERSION}:${current.id}:${context}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
    return `${VERSION}:${current.id}:${payload}`;
  }

  function decrypt(ciphertext: string, context: string): string {
    const [version, keyId, payload] = ciphertext.split(':');
    if (version !== VERSION || !keyId || !payload) throw new FieldDecryptionError('unknown format');
    const key = byId.get(keyId);
    if (!key) throw new FieldDecryptionError(`unknown key id ${keyId}`);
    const raw = Buffer.from(payload, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new FieldDecryptionError('truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(`${version}:${keyId}:${context}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new FieldDecryptionError('authentication failed');
    }
  }

  /** True when the value was encrypted with a key other than the current one. */
  const needsReencryption = (ciphertext: string) => ciphertext.split(':')[1] !== current.id;

  return { encrypt, decrypt, needsReencryption };
}

export type FieldEncryption = ReturnType<typeof createFieldEncryption>;
