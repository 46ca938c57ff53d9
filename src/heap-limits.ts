import { basename, resolve } from 'node:path';

/**
 * V8's heap limits for a service process. Left to its defaults on a machine with much memory,
 * V8 lets a busy server's heap grow to several hundred MiB of garbage before collecting it (the
 * old generation's limit scales with the machine); with an explicit ceiling it collects earlier.
 * Measured with `npm run bench -- --only me,refresh`: peak RSS 506 → 227 MiB at the same throughput
 * with 384 MiB and 8 MiB semi-spaces, 207 MiB with 256 and 4. The live heap of an idle instance is
 * about 50 MiB and its caches (10,000 live sessions, 10,000 verified tokens) add a few tens at most,
 * so 256 MiB leaves room.
 *
 * Imported first by main.ts and worker.ts, before anything else loads: when the process was started
 * without heap flags (neither on its command line nor in NODE_OPTIONS), it replaces itself, same
 * pid and same stdio, with one started with them. An operator's own `--max-old-space-size` or
 * `--max-semi-space-size` wins. On a Node.js without `process.execve` (before 22.15) nothing changes.
 */
export const HEAP_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=4'];

const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
  .execve;
const script = require.main?.filename;
/** The entry points that start a service process; anything else (a test runner) is left alone. */
const LAUNCHERS = new Set(['run.cjs', 'main.js', 'main.ts', 'worker.js', 'worker.ts']);
if (
  execve &&
  script &&
  LAUNCHERS.has(basename(script)) &&
  !given.some((flag) => flag.startsWith('--max-old-space-size') || flag.startsWith('--max-semi-space-size'))
) {
  // Started as `node <script> args…`, or through scripts/run.cjs, which leaves process.argv as
  // [node, entry, args…] for the entry it loads.
  const args =
    process.argv[1] && resolve(process.argv[1]) === script ? process.argv.slice(2) : process.argv.slice(1);
  execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...HEAP_FLAGS, script, ...args],
    process.env,
  );
}
