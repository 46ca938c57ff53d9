import { verifyChain } from '../src/identity/persistence/verify-chain.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run audit:verify [-- --incremental]`: recomputes the audit hash chain
 * from the genesis (default) or from the latest checkpoint (incremental mode,
 * for routine runs on long chains). Exit 0 when intact, 3 naming the first broken sequence.
 */
runCommand(() =>
  withOrm(async (orm) => {
    const incremental = process.argv.includes('--incremental');
    const started = process.hrtime.bigint();
    const result = await verifyChain(orm.em.fork(), { incremental });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = seconds > 0 ? Math.round(result.entriesChecked / seconds) : result.entriesChecked;
    const scope = incremental
      ? `incremental, from checkpoint at sequence ${result.fromSequence}`
      : 'full chain';
    if (!result.valid) {
      console.error(
        `audit chain BROKEN at sequence ${result.firstBrokenSequence} (${scope}; ${result.entriesChecked} entries verified before it)`,
      );
      return 3;
    }
    console.log(
      `audit chain intact (${scope}): ${result.entriesChecked} entries checked up to sequence ${result.lastSequence} ` +
        `in ${seconds.toFixed(2)} s (${rate} entries/s); head ${result.lastHash}`,
    );
    return 0;
  }),
);
