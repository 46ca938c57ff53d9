import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import { chainHash } from '../domain/audit-canonical.js';
import { chainedFields, type EntryRow } from './audit-rows.js';

/**
 * The transaction-scoped advisory lock under which entries are linked. Only its transaction
 * form is used, so linking works the same behind a pooler in transaction mode.
 */
export const CHAIN_LOCK_ID = 0x0a0d17c4;
/** Rows linked per statement: 12 parameters each, well under PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 1000;

export interface AuditChainerOptions {
  clock: Clock;
  /** Entries moved per transaction. */
  batchSize: number;
  /** How long a chainer's lease lasts past its last batch; another instance takes over after it. */
  leaseMs: number;
  /** Names this chainer in the head row: host, process and a random part unless given. */
  instanceId?: string;
}

export interface LinkResult {
  /** Entries moved into the chain by this call. */
  linked: number;
  /** Whether this chainer held (or took) the lease: false when another instance is the chainer. */
  leader: boolean;
}

interface StagedRow extends EntryRow {
  position: string;
}

/**
 * Links staged audit entries (audit_pending) into the SHA-256 chain (audit_log), in batches.
 *
 * One chainer at a time, elected through PostgreSQL: each batch runs in one transaction under a
 * transaction-scoped advisory lock, and the head row names the instance holding the lease and
 * until when. Every instance that works jobs ticks; a tick that finds another instance's lease
 * still running does nothing, so the fleet has one chainer while it lives, and the next tick
 * after its lease ran out (a crash, a kill) elects another. A batch deletes the oldest staged
 * entries, hashes them in staging order after the head, inserts them into the chain and moves
 * the head, all in one transaction: a chainer killed mid-batch leaves nothing half linked.
 */
export function createAuditChainer(opts: AuditChainerOptions) {
  const me = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  /**
   * One batch. `force` (an admin about to read the log, a test) waits for the lock instead of
   * skipping, and links whatever the lease says, without taking the lease.
   */
  async function linkBatch(em: EntityManager, force: boolean): Promise<LinkResult> {
    return em.transactional(async (tx) => {
      // Bounds, so that a chainer cut off mid-batch cannot hold the lock (and all linking) for
      // long, and the setting under which audit_pending lets its rows be deleted: all for this
      // transaction only.
      await tx.execute(
        `select set_config('statement_timeout', '30s', true),
                set_config('idle_in_transaction_session_timeout', '10s', true),
                set_config('lock_timeout', '10s', true),
                set_config('identity.audit_linking', 'on', true)`,
      );
      if (force) {
        await tx.execute('select pg_advisory_xact_lock(?)', [CHAIN_LOCK_ID]);
      } else {
        const [{ locked }] = await tx.execute<{ locked: boolean }[]>(
          'select pg_try_advisory_xact_lock(?) as locked',
          [CHAIN_LOCK_ID],
        );
        if (!locked) return { linked: 0, leader: false };
      }
      const now = opts.clock.now();
      const [head] = await tx.execute<
        { sequence: string; hash: string; chainer: string | null; chainer_until: Date | null }[]
      >('select sequence, hash, chainer, chainer_until from audit_head where id = 1');
      if (!head) throw new Error('audit chain head missing');
      const leaseHeld = head.chainer_until !== null && new Date(head.chainer_until).getTime() > now.getTime();
      const leader = head.chainer === me || !leaseHeld;
      if (!force && !leader) return { linked: 0, leader: false };

      const rows = await tx.execute<StagedRow[]>(
        `delete from audit_pending where position in (
           select position from audit_pending order by position limit ?
         ) returning *`,
        [opts.batchSize],
      );
      rows.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));

      let sequence = BigInt(head.sequence);
      let previousHash = head.hash;
      const linked: unknown[][] = [];
      for (const row of rows) {
        sequence += 1n;
        const fields = chainedFields(row, sequence.toString());
        const hash = chainHash(previousHash, fields);
        linked.push([
          fields.sequence,
          fields.id,
          fields.type,
          fields.actorId,
          fields.subjectId,
          fields.clientIp,
          fields.userAgent,
          fields.requestId,
          fields.occurredAt,
          fields.data,
          previousHash,
          hash,
        ]);
        previousHash = hash;
      }
      for (let i = 0; i < linked.length; i += ROWS_PER_INSERT) {
        const chunk = linked.slice(i, i + ROWS_PER_INSERT);
        await tx.execute(
          `insert into audit_log (sequence, id, type, actor_id, subject_id, client_ip, user_agent, request_id,
                                  occurred_at, data, previous_hash, hash)
           values ${chunk.map(() => '(?, ?::uuid, ?, ?::uuid, ?::uuid, ?, ?, ?, ?::timestamptz, ?, ?, ?)').join(', ')}`,
          chunk.flat(),
        );
      }

      // The lease is renewed when entries were linked or half of it has gone by: an idle
      // leader writes the head twice per lease, not on every tick.
      const renew =
        !force &&
        (rows.length > 0 ||
          head.chainer !== me ||
          !head.chainer_until ||
          new Date(head.chainer_until).getTime() - now.getTime() < opts.leaseMs / 2);
      const until = new Date(now.getTime() + opts.leaseMs);
      if (rows.length > 0) {
        await tx.execute(
          `update audit_head set sequence = ?, hash = ?,
                  chainer = case when ? then ? else chainer end,
                  chainer_until = case when ? then ?::timestamptz else chainer_until end
            where id = 1`,
          [sequence.toString(), previousHash, renew, me, renew, until],
        );
      } else if (renew) {
        // Nothing linked: the lease alone, never the head as read (it is the chain's, not the lease's).
        await tx.execute('update audit_head set chainer = ?, chainer_until = ? where id = 1', [me, until]);
      }
      return { linked: rows.length, leader };
    });
  }

  /** Links batches until the staging table is empty (as this transaction sees it) or the lease is another's. */
  async function linkPending(em: EntityManager, linkOpts: { force?: boolean } = {}): Promise<LinkResult> {
    let total = 0;
    for (;;) {
      const result = await linkBatch(em, linkOpts.force === true);
      total += result.linked;
      if (result.linked < opts.batchSize) return { linked: total, leader: result.leader };
    }
  }

  /** Gives the lease up (a clean shutdown), so another instance takes over on its next tick. */
  async function release(em: EntityManager): Promise<void> {
    await em.execute(
      'update audit_head set chainer = null, chainer_until = null where id = 1 and chainer = ?',
      [me],
    );
  }

  /**
   * Ticks every intervalMs (at once again after a full batch, inside linkPending) until the
   * returned stop(), which waits for the tick in hand and gives the lease up.
   */
  function start(deps: { em: () => EntityManager; intervalMs: number; onError: (err: unknown) => void }) {
    let timer: NodeJS.Timeout | undefined;
    let inHand: Promise<void> | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        await linkPending(deps.em());
      } catch (err) {
        try {
          deps.onError(err);
        } catch {
          // Reporting failed too; the next tick tries again all the same.
        }
      }
      if (!stopped) timer = setTimeout(run, deps.intervalMs);
    };
    const run = () => {
      inHand = tick();
    };
    run();
    return async function stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await inHand;
      await release(deps.em()).catch(deps.onError);
    };
  }

  return { id: me, linkPending, release, start };
}

export type AuditChainer = ReturnType<typeof createAuditChainer>;

/** Entries staged but not linked yet, and how long the oldest has waited (seconds; 0 when none). */
export async function auditBacklog(em: EntityManager): Promise<{ pending: number; lagSeconds: number }> {
  const [row] = await em.execute<{ pending: number; lag: number | string | null }[]>(
    `select count(*)::int as pending,
            coalesce(extract(epoch from clock_timestamp() - min(queued_at)), 0)::float8 as lag
       from audit_pending`,
  );
  return { pending: row.pending, lagSeconds: Number(row.lag ?? 0) };
}
