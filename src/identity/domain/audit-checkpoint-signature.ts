import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { canonicalJson } from './audit-canonical.js';

/** Names what the signed bytes mean, inside them, so that a signature made for anything else never verifies here. */
export const CHECKPOINT_FORMAT = 'elcorp-audit-checkpoint/v1';
export const CHECKPOINT_ALGORITHM = 'Ed25519';

/** What a checkpoint says: the chain's head was at `sequence` with `hash` at `time`. */
export interface CheckpointClaim {
  sequence: number;
  /** The hash of the entry at `sequence` (64 lowercase hex digits; the all-zero genesis hash at 0). */
  hash: string;
  /** When it was signed: ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString() writes it. */
  time: string;
}

/** A checkpoint as published and kept: the claim, its signature and the key that made it. */
export interface SignedCheckpoint extends CheckpointClaim {
  format: typeof CHECKPOINT_FORMAT;
  algorithm: typeof CHECKPOINT_ALGORITHM;
  keyId: string;
  /** Ed25519 over checkpointSignedBytes(claim), 64 bytes, base64url without padding. */
  signature: string;
  /** The public key (JWK, OKP/Ed25519) of keyId. */
  publicKey: JsonWebKey;
}

/**
 * The exact bytes a checkpoint's signature covers: the UTF-8 bytes of the JSON object
 * `{"format":"elcorp-audit-checkpoint/v1","hash":"<hash>","sequence":<sequence>,"time":"<time>"}`,
 * members in this (sorted) order, no whitespace, the sequence a JSON integer, the hash and time
 * the checkpoint's own strings.
 */
export const checkpointSignedBytes = (claim: CheckpointClaim): Buffer =>
  Buffer.from(
    canonicalJson({
      format: CHECKPOINT_FORMAT,
      hash: claim.hash,
      sequence: claim.sequence,
      time: claim.time,
    }),
    'utf8',
  );

const HASH = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** A kept checkpoint, read back: the checkpoint, or why it cannot be one. */
export function parseCheckpoint(value: unknown): { checkpoint: SignedCheckpoint } | { problem: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v.format !== CHECKPOINT_FORMAT) return { problem: `format is not ${CHECKPOINT_FORMAT}` };
  if (v.algorithm !== CHECKPOINT_ALGORITHM) return { problem: `algorithm is not ${CHECKPOINT_ALGORITHM}` };
  if (typeof v.sequence !== 'number' || !Number.isSafeInteger(v.sequence) || v.sequence < 0)
    return { problem: 'sequence is not a non-negative integer' };
  if (typeof v.hash !== 'string' || !HASH.test(v.hash)) return { problem: 'hash is not 64 hex digits' };
  if (typeof v.time !== 'string' || !isIsoTime(v.time))
    return { problem: 'time is not an ISO 8601 UTC time' };
  if (typeof v.keyId !== 'string' || v.keyId.length === 0 || v.keyId.length > 100)
    return { problem: 'keyId is missing' };
  if (
    typeof v.signature !== 'string' ||
    !SIGNATURE.test(v.signature) ||
    Buffer.from(v.signature, 'base64url').toString('base64url') !== v.signature
  )
    return { problem: 'signature is not 64 bytes of base64url' };
  if (!v.publicKey || typeof v.publicKey !== 'object' || Array.isArray(v.publicKey))
    return { problem: 'publicKey is not a JWK' };
  return {
    checkpoint: {
      format: CHECKPOINT_FORMAT,
      algorithm: CHECKPOINT_ALGORITHM,
      sequence: v.sequence,
      hash: v.hash,
      time: v.time,
      keyId: v.keyId,
      signature: v.signature,
      publicKey: v.publicKey as JsonWebKey,
    },
  };
}

function isIsoTime(text: string): boolean {
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text;
}

/** Whether `signature` is the Ed25519 signature of the claim under the public key `jwk`. */
export function checkpointSignatureValid(
  claim: CheckpointClaim,
  signature: string,
  jwk: JsonWebKey,
): boolean {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return false;
  try {
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    return verify(null, checkpointSignedBytes(claim), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Whether two public JWKs are the same Ed25519 key. */
export const sameEd25519Key = (a: JsonWebKey, b: JsonWebKey): boolean =>
  a.kty === 'OKP' && b.kty === 'OKP' && a.crv === 'Ed25519' && b.crv === 'Ed25519' && a.x === b.x;
