import {
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';

/** The context bound into the private key's ciphertext (the field-encryption associated data). */
export const CHECKPOINT_KEY_CONTEXT = 'audit_checkpoint_keys.private_jwk';
/**
 * Transaction-scoped advisory lock taken by everything that signs a checkpoint: the first key is
 * made once however many instances need it at once, and two signers never interleave. Always the
 * `_xact_` form: a session lock would outlive the transaction on a pooled (PgBouncer) connection.
 */
export const CHECKPOINT_LOCK_ID = 0xa0dc4e7;

export interface CheckpointSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JsonWebKey;
}

/**
 * The newest checkpoint key, made on first need. Call inside a transaction that holds
 * CHECKPOINT_LOCK_ID, so that two instances never both make one.
 */
export async function checkpointSigningKey(
  tx: EntityManager,
  encryption: FieldEncryption,
  now: Date,
): Promise<CheckpointSigningKey> {
  const [row] = await tx.execute<{ kid: string; public_jwk: JsonWebKey; private_jwk_ciphertext: string }[]>(
    'select kid, public_jwk, private_jwk_ciphertext from audit_checkpoint_keys order by created_at desc limit 1',
  );
  if (row) {
    const privateJwk = JSON.parse(encryption.decrypt(row.private_jwk_ciphertext, CHECKPOINT_KEY_CONTEXT));
    return {
      kid: row.kid,
      privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }),
      publicJwk: row.public_jwk,
    };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = randomUUID();
  const publicJwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' };
  const ciphertext = encryption.encrypt(
    JSON.stringify(privateKey.export({ format: 'jwk' })),
    CHECKPOINT_KEY_CONTEXT,
  );
  await tx.execute(
    'insert into audit_checkpoint_keys (kid, public_jwk, private_jwk_ciphertext, created_at) values (?, ?, ?, ?)',
    [kid, JSON.stringify(publicJwk), ciphertext, now],
  );
  return { kid, privateKey, publicJwk };
}

/** The public key of a checkpoint key id this service has made, or undefined. */
export async function checkpointPublicKey(em: EntityManager, kid: string): Promise<JsonWebKey | undefined> {
  const [row] = await em.execute<{ public_jwk: JsonWebKey }[]>(
    'select public_jwk from audit_checkpoint_keys where kid = ?',
    [kid],
  );
  return row?.public_jwk;
}

/** Every checkpoint public key, newest first: what a keeper pins. */
export async function checkpointPublicKeys(em: EntityManager): Promise<JsonWebKey[]> {
  const rows = await em.execute<{ public_jwk: JsonWebKey }[]>(
    'select public_jwk from audit_checkpoint_keys order by created_at desc',
  );
  return rows.map((r) => r.public_jwk);
}
