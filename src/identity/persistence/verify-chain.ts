import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { chainHash, GENESIS_HASH } from '../domain/audit-canonical.js';
import { AuditCheckpoint } from '../domain/audit-head.entity.js';
import { chainedFields, type LinkedRow } from './audit-rows.js';

export interface ChainVerification {
  valid: boolean;
  entriesChecked: number;
  /** The first sequence that does not verify (edited, missing, reordered or inserted), when broken. */
  firstBrokenSequence?: number;
  /** Where verification started: 0 for the whole chain, a checkpoint in incremental mode. */
  fromSequence: number;
  lastSequence: number;
  lastHash: string;
  /** Entries written but not linked into the chain yet (the chainer links them, normally within a second). */
  entriesPending: number;
}

const BATCH = 1000;

/**
 * Walks the chain in sequence order, in batches (constant memory), recomputing
 * every hash. From the genesis by default; `incremental` starts from the latest
 * checkpoint, trusting the prefix it vouches for, and records a new checkpoint
 * when the rest verifies. The head row also has to agree, so a removed tail is caught.
 * One REPEATABLE READ transaction: the chainer linking meanwhile cannot make the rows read
 * first and the head read last disagree.
 */
export function verifyChain(
  em: EntityManager,
  opts: { incremental?: boolean } = {},
): Promise<ChainVerification> {
  return em.transactional((tx) => walkChain(tx, opts), { isolationLevel: IsolationLevel.REPEATABLE_READ });
}

async function walkChain(em: EntityManager, opts: { incremental?: boolean }): Promise<ChainVerification> {
  let start = { sequence: 0n, hash: GENESIS_HASH };
  if (opts.incremental) {
    const [checkpoint] = await em.find(AuditCheckpoint, {}, { orderBy: { sequence: 'desc' }, limit: 1 });
    if (checkpoint) start = { sequence: BigInt(checkpoint.sequence), hash: checkpoint.hash };
  }
  let expected = start.sequence + 1n;
  let previousHash = start.hash;
  let checked = 0;
  const [{ pending }] = await em.execute<{ pending: number }[]>(
    'select count(*)::int as pending from audit_pending',
  );
  const result = (broken?: bigint): ChainVerification => ({
    valid: broken === undefined,
    entriesChecked: checked,
    firstBrokenSequence: broken === undefined ? undefined : Number(broken),
    fromSequence: Number(start.sequence),
    lastSequence: Number(expected - 1n),
    lastHash: previousHash,
    entriesPending: pending,
  });

  for (;;) {
    const rows = await em.execute<LinkedRow[]>(
      'select * from audit_log where sequence >= ? order by sequence limit ?',
      [expected.toString(), BATCH],
    );
    for (const row of rows) {
      if (BigInt(row.sequence) !== expected || row.previous_hash !== previousHash) return result(expected);
      const hash = chainHash(previousHash, chainedFields(row, row.sequence));
      if (hash !== row.hash) return result(expected);
      previousHash = hash;
      expected += 1n;
      checked += 1;
    }
    if (rows.length < BATCH) break;
  }

  const [head] = await em.execute<{ sequence: string; hash: string }[]>(
    'select sequence, hash from audit_head where id = 1',
  );
  const headSequence = BigInt(head.sequence);
  // Rows past the head were added behind the service's back; a head past the rows means a removed tail.
  if (headSequence < expected - 1n) return result(headSequence + 1n);
  if (headSequence > expected - 1n || head.hash !== previousHash) return result(expected);
  if (opts.incremental && checked > 0) {
    await em.insert(AuditCheckpoint, {
      sequence: (expected - 1n).toString(),
      hash: previousHash,
      verifiedAt: new Date(),
    });
  }
  return result();
}
