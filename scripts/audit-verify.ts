import { readFileSync } from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { verifyAgainstCheckpoint } from '../src/identity/persistence/verify-against-checkpoint.js';
import { type ChainVerification, verifyChain } from '../src/identity/persistence/verify-chain.js';
import { runCommand, withOrm } from './with-orm.js';

/** The chain is intact. */
const OK = 0;
/** The chain does not verify: an entry edited, removed, reordered or inserted. */
const BROKEN = 3;
/** The chain no longer extends the kept checkpoint: rewritten (or cut) at or before its sequence. */
const NOT_EXTENDED = 4;
/** The kept file is no checkpoint of this service: unreadable, altered, or signed by another key. */
const NOT_GENUINE = 5;

/**
 * `npm run audit:verify [-- --incremental | --against <checkpoint.json>]`: recomputes the audit
 * hash chain from the genesis (default) or from the latest verification checkpoint (incremental,
 * for routine runs on long chains). `--against` also proves that the chain still extends a signed
 * checkpoint kept outside the database (`npm run audit:checkpoint`, or the body of
 * /.well-known/audit-checkpoint), which catches a chain rewritten consistently inside it.
 * Exit 0 when intact, 3 naming the first broken sequence, 4 when the chain does not extend the
 * checkpoint, 5 when the file is not a genuine checkpoint of this service; one line says why.
 */
runCommand(() =>
  withOrm(async (orm) => {
    const incremental = process.argv.includes('--incremental');
    const against = optionValue('--against');
    if (against !== undefined && incremental)
      throw new Error('--against verifies the whole chain from the genesis: leave out --incremental');
    const started = process.hrtime.bigint();
    const em = orm.em.fork();
    if (against !== undefined) return verifyAgainst(em, against, started);
    const result = await verifyChain(em, { incremental });
    const scope = incremental
      ? `incremental, from checkpoint at sequence ${result.fromSequence}`
      : 'full chain';
    return report(result, scope, started);
  }),
);

async function verifyAgainst(em: EntityManager, file: string, started: bigint): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    console.error(`checkpoint NOT GENUINE: ${file} is not JSON`);
    return NOT_GENUINE;
  }
  const result = await verifyAgainstCheckpoint(em, value);
  switch (result.outcome) {
    case 'not-genuine':
      console.error(`checkpoint NOT GENUINE: ${result.reason}`);
      return NOT_GENUINE;
    case 'not-extended':
      console.error(
        `audit chain DOES NOT EXTEND the checkpoint at sequence ${result.checkpoint.sequence} of ${result.checkpoint.time}: ${result.reason}`,
      );
      return NOT_EXTENDED;
    default: {
      const { checkpoint } = result;
      const signed = `; extends the checkpoint at sequence ${checkpoint.sequence} of ${checkpoint.time} (key ${checkpoint.keyId})`;
      return report(result.chain, 'full chain', started, signed);
    }
  }
}

function report(result: ChainVerification, scope: string, started: bigint, suffix = ''): number {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = seconds > 0 ? Math.round(result.entriesChecked / seconds) : result.entriesChecked;
  if (!result.valid) {
    console.error(
      `audit chain BROKEN at sequence ${result.firstBrokenSequence} (${scope}; ${result.entriesChecked} entries verified before it)`,
    );
    return BROKEN;
  }
  console.log(
    `audit chain intact (${scope}): ${result.entriesChecked} entries checked up to sequence ${result.lastSequence} ` +
      `in ${seconds.toFixed(2)} s (${rate} entries/s); head ${result.lastHash}${suffix}; ` +
      `${result.entriesPending} waiting to be linked`,
  );
  return OK;
}

/** `--name value` or `--name=value`; undefined when absent. */
function optionValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const inline = args.find((a) => a.startsWith(`${name}=`));
  if (inline) return inline.slice(name.length + 1);
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a file: ${name} <checkpoint.json>`);
  return value;
}
