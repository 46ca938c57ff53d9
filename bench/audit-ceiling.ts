/**
 * The audit chain's ceiling: every audited write of every instance appends to one chain, whose
 * head row is locked from the append to the commit. This drives single-entry appends straight
 * at PostgreSQL (no HTTP, no other work) from 8 and then 32 writers and prints one JSON line.
 * Runs in its own process, started by run.ts while the server is idle.
 * Usage: node dist/bench/audit-ceiling.js <database url> <seconds>
 */

import { openOrm } from '../src/composition-root.js';
import { createAuditTrail } from '../src/identity/persistence/audit-chain.js';
import { systemClock } from '../src/kernel/clock.js';

export interface AuditCeiling {
  writers: number;
  appends: number;
  seconds: number;
  appendsPerSecond: number;
  /** Set by run.ts: the share of the machine other processes took meanwhile. */
  otherCpu?: number;
}

export const AUDIT_WRITERS = [8, 32];

async function main(): Promise<void> {
  const [url, secondsArg] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  const orm = await openOrm({ url, poolMax: Math.max(...AUDIT_WRITERS) });
  const trail = createAuditTrail({ clock: systemClock, enabled: true });
  const meta = { requestId: 'bench', ip: '127.0.0.1', userAgent: 'elcorp-identity bench' };
  const results: AuditCeiling[] = [];
  try {
    for (const writers of AUDIT_WRITERS) {
      let appends = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (performance.now() < deadline) {
            await trail.appendNow(orm.em.fork(), [{ type: 'bench.append', data: { writers } }], { meta });
            appends++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      results.push({ writers, appends, seconds: elapsed, appendsPerSecond: appends / elapsed });
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
