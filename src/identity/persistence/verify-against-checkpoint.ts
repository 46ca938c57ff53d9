import type { EntityManager } from '@mikro-orm/postgresql';
import { GENESIS_HASH } from '../domain/audit-canonical.js';
import {
  checkpointSignatureValid,
  parseCheckpoint,
  type SignedCheckpoint,
  sameEd25519Key,
} from '../domain/audit-checkpoint-signature.js';
import { checkpointPublicKey } from './audit-checkpoint-keys.js';
import { type ChainVerification, verifyChain } from './verify-chain.js';

export type CheckpointVerification =
  /** Genuine, the chain still holds its hash at its sequence, and the whole chain verifies. */
  | { outcome: 'extends'; checkpoint: SignedCheckpoint; chain: ChainVerification }
  /** Not a checkpoint this service signed: unreadable, a key it never had, or a wrong signature. */
  | { outcome: 'not-genuine'; reason: string }
  /** Genuine, but the chain no longer holds its hash at its sequence: rewritten (or cut) since. */
  | { outcome: 'not-extended'; reason: string; checkpoint: SignedCheckpoint }
  /** Genuine and still matched at its sequence, but the chain does not verify from the genesis. */
  | { outcome: 'chain-broken'; checkpoint: SignedCheckpoint; chain: ChainVerification };

/**
 * Checks the chain against a checkpoint kept outside the database (`value`: its parsed JSON).
 * The signature is checked with this service's own public key for the checkpoint's key id (the
 * key in the file must be that same key), so a file signed by any other key fails. Then the entry
 * at the checkpoint's sequence must still carry its hash, and the whole chain must verify from the
 * genesis (never from a stored verification checkpoint, which lives in the database it checks).
 * A chain rewritten consistently inside the database, head moved and every hash recomputed, still
 * verifies on its own; it can no longer match a checkpoint signed before the rewrite.
 */
export async function verifyAgainstCheckpoint(
  em: EntityManager,
  value: unknown,
): Promise<CheckpointVerification> {
  const parsed = parseCheckpoint(value);
  if ('problem' in parsed) return { outcome: 'not-genuine', reason: `not a checkpoint: ${parsed.problem}` };
  const { checkpoint } = parsed;
  const ours = await checkpointPublicKey(em, checkpoint.keyId);
  if (!ours)
    return {
      outcome: 'not-genuine',
      reason: `key ${checkpoint.keyId} is not a checkpoint key of this service`,
    };
  if (!sameEd25519Key(ours, checkpoint.publicKey))
    return {
      outcome: 'not-genuine',
      reason: `the public key in the file is not this service's key ${checkpoint.keyId}`,
    };
  if (!checkpointSignatureValid(checkpoint, checkpoint.signature, ours))
    return {
      outcome: 'not-genuine',
      reason: 'bad signature: the checkpoint was altered or not signed by this service',
    };

  const at = String(checkpoint.sequence);
  const [row] =
    checkpoint.sequence === 0
      ? [{ hash: GENESIS_HASH }]
      : await em.execute<{ hash: string }[]>('select hash from audit_log where sequence = ?', [at]);
  if (!row)
    return {
      outcome: 'not-extended',
      checkpoint,
      reason: `the chain has no entry at the checkpoint's sequence ${at} (entries were removed)`,
    };
  if (row.hash !== checkpoint.hash)
    return {
      outcome: 'not-extended',
      checkpoint,
      reason: `the entry at sequence ${at} no longer has the checkpoint's hash (the chain was rewritten at or before it)`,
    };

  const chain = await verifyChain(em);
  if (!chain.valid) return { outcome: 'chain-broken', checkpoint, chain };
  return { outcome: 'extends', checkpoint, chain };
}
