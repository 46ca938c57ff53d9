import type { JobQueue } from '../src/adapters/jobs/job-queue.js';
import { openJobQueue } from '../src/composition-root.js';
import { createLogger, createRequestScope } from '../src/kernel/logger.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run jobs:failed`: the jobs that failed, dead-lettered ones (out of retries; `npm run
 * jobs:retry -- <id>` sends one again) and those waiting for their next attempt. Id, queue,
 * attempts and the last error's codes; never a job's data, which holds addresses, codes and
 * links with tokens.
 */
runCommand(() =>
  withJobQueue(async (jobs) => {
    const failed = await jobs.failed();
    if (failed.length === 0) {
      console.log('no failed jobs');
      return 0;
    }
    const rows = failed.map((j) => [
      j.id,
      j.queue,
      j.state,
      String(j.attempts),
      j.lastError || '-',
      `${j.state === 'dead' ? 'since' : 'next try'} ${j.at.toISOString()}`,
    ]);
    const header = ['id', 'queue', 'state', 'attempts', 'last error', 'when'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
    const dead = failed.filter((j) => j.state === 'dead').length;
    console.log(`\n${dead} dead-lettered, ${failed.length - dead} retrying`);
    return 0;
  }),
);

/** The job queue of the configured database, for this command only; closed with everything else. */
function withJobQueue<T>(fn: (jobs: JobQueue) => Promise<T>): Promise<T> {
  return withOrm(async (orm, config) => {
    const logger = createLogger({ level: 'warn', scope: createRequestScope() });
    const jobs = openJobQueue(config, orm.config.get('clientUrl') as string, logger);
    await jobs.start();
    try {
      return await fn(jobs);
    } finally {
      await jobs.stop();
    }
  });
}
