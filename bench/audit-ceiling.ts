/**
 * The audit trail's ceiling: audited writes of every instance stage their entries in one table,
 * and one chainer links them into the hash chain. This drives single-entry appends, each
 * committing on its own, straight at PostgreSQL (no HTTP, no other work) from 8 and then 32
 * writers, while the idle server's chainer links them; then waits until everything is linked.
 * Prints one JSON line. Runs in its own process, started by run.ts while the server is idle.
 * Usage: node dist/bench/audit-ceiling.js <database url> <seconds>
 */

import { openOrm } from '../src/composition-root.js';
import { createAuditTrail } from '../src/identity/persistence/audit-chain.js';
import { auditBacklog } from '../src/identity/persistence/audit-chainer.js';
import { systemClock } from '../src/kernel/clock.js';

export interface AuditCeiling {
  /**
   * `statement`: appendNow, facts committing on their own (a failed sign-in's record; those of
   * concurrent callers leave together); `transaction`: BEGIN, the INSERT, COMMIT (how an audited
   * use case stages its entries); `empty transaction`: BEGIN, SELECT 1, COMMIT, appending nothing.
   */
  shape: AppendShape;
  writers: number;
  appends: number;
  seconds: number;
  appendsPerSecond: number;
  /** Entries still waiting to be linked when the writers stopped, and the oldest one's age then. */
  pendingAtEnd: number;
  lagSecondsAtEnd: number;
  /** From the writers' stop until the chainer had linked every entry. */
  drainSeconds: number;
  /** Entries linked per second over the whole measurement, drain included. */
  linkedPerSecond: number;
  /** Set by run.ts: the share of the machine other processes took meanwhile. */
  otherCpu?: number;
}

export const AUDIT_WRITERS = [8, 32];
export type AppendShape = 'statement' | 'transaction' | 'empty transaction';
const SHAPES: AppendShape[] = ['statement', 'transaction', 'empty transaction'];
const DRAIN_LIMIT_MS = 120_000;

async function main(): Promise<void> {
  const [url, secondsArg] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  const orm = await openOrm({ url, poolMax: Math.max(...AUDIT_WRITERS) + 1 });
  const trail = createAuditTrail({ clock: systemClock, enabled: true });
  const meta = { requestId: 'bench', ip: '127.0.0.1', userAgent: 'elcorp-identity bench' };
  const results: AuditCeiling[] = [];
  try {
    for (const shape of SHAPES)
      for (const writers of AUDIT_WRITERS) {
        const events = [{ type: 'bench.append', data: { writers, shape } }];
        const appendOne = {
          statement: () => trail.appendNow(orm.em.fork(), events, { meta }),
          transaction: () => orm.em.fork().transactional((tx) => trail.append(tx, events, { meta })),
          // The reference: the same transaction writing nothing, what any write transaction costs here.
          'empty transaction': () => orm.em.fork().transactional((tx) => tx.execute('select 1')),
        }[shape];
        let appends = 0;
        const started = performance.now();
        const deadline = started + seconds * 1000;
        await Promise.all(
          Array.from({ length: writers }, async () => {
            while (performance.now() < deadline) {
              await appendOne();
              appends++;
            }
          }),
        );
        const stopped = performance.now();
        const elapsed = (stopped - started) / 1000;
        const atEnd = await auditBacklog(orm.em.fork());
        let backlog = atEnd;
        while (backlog.pending > 0 && performance.now() - stopped < DRAIN_LIMIT_MS) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          backlog = await auditBacklog(orm.em.fork());
        }
        if (backlog.pending > 0)
          throw new Error(`${backlog.pending} audit entries still unlinked after the drain limit`);
        const drainSeconds = (performance.now() - stopped) / 1000;
        results.push({
          shape,
          writers,
          appends,
          seconds: elapsed,
          appendsPerSecond: appends / elapsed,
          pendingAtEnd: atEnd.pending,
          lagSecondsAtEnd: atEnd.lagSeconds,
          drainSeconds,
          linkedPerSecond: appends / (elapsed + drainSeconds),
        });
      }
  } finally {
    await orm.close();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
