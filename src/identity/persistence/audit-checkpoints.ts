import { type JsonWebKey, sign } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';
import type { Clock } from '../../kernel/clock.js';
import { GENESIS_HASH } from '../domain/audit-canonical.js';
import {
  CHECKPOINT_ALGORITHM,
  CHECKPOINT_FORMAT,
  type CheckpointClaim,
  checkpointSignedBytes,
  type SignedCheckpoint,
} from '../domain/audit-checkpoint-signature.js';
import { CHECKPOINT_LOCK_ID, checkpointPublicKeys, checkpointSigningKey } from './audit-checkpoint-keys.js';

/** The service would not sign: its chain no longer agrees with what it signed or with its head. */
export class CheckpointRefusedError extends Error {
  /** Short and free of values, for the job's log line. */
  readonly reason: string;
  constructor(reason: string, detail: string) {
    super(`audit checkpoint not signed: ${detail}`);
    this.name = 'CheckpointRefusedError';
    this.reason = reason;
  }
}

interface StoredRow {
  sequence: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
  public_jwk: JsonWebKey;
}

const toCheckpoint = (row: StoredRow): SignedCheckpoint => ({
  format: CHECKPOINT_FORMAT,
  sequence: Number(row.sequence),
  hash: row.hash,
  time: new Date(row.signed_at).toISOString(),
  algorithm: CHECKPOINT_ALGORITHM,
  keyId: row.key_id,
  signature: row.signature,
  publicKey: row.public_jwk,
});

const LATEST = `select c.sequence::text as sequence, c.hash, c.signed_at, c.key_id, c.signature, k.public_jwk
                  from signed_audit_checkpoints c join audit_checkpoint_keys k on k.kid = c.key_id
                 order by c.id desc limit 1`;

/** The hash the chain holds at `sequence` now, or undefined when it has no entry there. */
async function hashAt(tx: EntityManager, sequence: string): Promise<string | undefined> {
  if (sequence === '0') return GENESIS_HASH;
  const [row] = await tx.execute<{ hash: string }[]>('select hash from audit_log where sequence = ?', [
    sequence,
  ]);
  return row?.hash;
}

/**
 * Signed checkpoints of the audit chain's head, for anyone to keep outside the database: a
 * rewrite of the chain up to a kept checkpoint no longer matches it (see verifyAgainstCheckpoint).
 */
export function createAuditCheckpoints(deps: {
  em: EntityManager;
  encryption: FieldEncryption;
  clock: Clock;
}) {
  /**
   * Signs the current head and stores the checkpoint, in one transaction under CHECKPOINT_LOCK_ID
   * (the first key is made here on first need). `onlyIfMoved`: nothing is signed while the head is
   * where the latest checkpoint put it (or still at the genesis). Refuses (CheckpointRefusedError)
   * when the head names no entry with its hash, or the chain no longer holds the latest
   * checkpoint's hash at its sequence: a chain rewritten since then is never vouched for.
   */
  async function signHead(opts: {
    onlyIfMoved: boolean;
  }): Promise<{ signed: boolean; checkpoint?: SignedCheckpoint }> {
    return deps.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(?)', [CHECKPOINT_LOCK_ID]);
      const [head] = await tx.execute<{ sequence: string; hash: string }[]>(
        'select sequence::text as sequence, hash from audit_head where id = 1',
      );
      const [last] = await tx.execute<StoredRow[]>(LATEST);
      const unmoved = last
        ? last.sequence === head.sequence && last.hash === head.hash
        : head.sequence === '0';
      if (opts.onlyIfMoved && unmoved) return { signed: false, checkpoint: last && toCheckpoint(last) };
      if ((await hashAt(tx, head.sequence)) !== head.hash)
        throw new CheckpointRefusedError(
          'head disagrees with its entry',
          `the chain head (sequence ${head.sequence}) does not match the entry at that sequence`,
        );
      if (last && (await hashAt(tx, last.sequence)) !== last.hash)
        throw new CheckpointRefusedError(
          'chain no longer extends checkpoint',
          `the chain no longer extends the signed checkpoint at sequence ${last.sequence}`,
        );
      const now = deps.clock.now();
      const key = await checkpointSigningKey(tx, deps.encryption, now);
      const claim: CheckpointClaim = {
        sequence: Number(head.sequence),
        hash: head.hash,
        time: now.toISOString(),
      };
      const signature = sign(null, checkpointSignedBytes(claim), key.privateKey).toString('base64url');
      await tx.execute(
        'insert into signed_audit_checkpoints (sequence, hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?)',
        [head.sequence, head.hash, now, key.kid, signature],
      );
      return {
        signed: true,
        checkpoint: {
          format: CHECKPOINT_FORMAT,
          ...claim,
          algorithm: CHECKPOINT_ALGORITHM,
          keyId: key.kid,
          signature,
          publicKey: key.publicJwk,
        },
      };
    });
  }

  return {
    /** On demand (`npm run audit:checkpoint`): signs the head now, moved or not. */
    signNow: async (): Promise<SignedCheckpoint> =>
      (await signHead({ onlyIfMoved: false })).checkpoint as SignedCheckpoint,

    /** The schedule's run: signs when the head moved; counts for the job's log line. */
    async signIfMoved(): Promise<{ signed: number; sequence: number }> {
      const { signed, checkpoint } = await signHead({ onlyIfMoved: true });
      return { signed: signed ? 1 : 0, sequence: checkpoint?.sequence ?? 0 };
    },

    /** The latest signed checkpoint, or undefined before the first. */
    async latest(): Promise<SignedCheckpoint | undefined> {
      const [row] = await deps.em.fork().execute<StoredRow[]>(LATEST);
      return row && toCheckpoint(row);
    },

    /** Every public key that signs checkpoints, newest first. */
    keys: async (): Promise<{ keys: JsonWebKey[] }> => ({ keys: await checkpointPublicKeys(deps.em.fork()) }),
  };
}

export type AuditCheckpoints = ReturnType<typeof createAuditCheckpoints>;
