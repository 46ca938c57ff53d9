import type { JobQueue } from '../src/adapters/jobs/job-queue.js';
import { openJobQueue } from '../src/composition-root.js';
import { createLogger, createRequestScope } from '../src/kernel/logger.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run jobs:retry -- <id> [<id>…]`: sends dead-lettered jobs again, each as a new job in its
 * queue with a fresh retry budget. An id is one `jobs:failed` printed (or the failed job's own).
 * Exit code 1 when an id names no dead letter.
 */
runCommand(() =>
  withJobQueue(async (jobs) => {
    const ids = process.argv.slice(2).filter((a) => !a.startsWith('--'));
    if (ids.length === 0) {
      console.error('usage: npm run jobs:retry -- <id> [<id>…]   (ids from npm run jobs:failed)');
      return 2;
    }
    let missing = 0;
    for (const id of ids) {
      const queue = /^[0-9a-f-]{36}$/i.test(id) ? await jobs.retry(id) : undefined;
      if (queue) console.log(`${id}: sent again through the ${queue} queue`);
      else {
        console.error(`${id}: no dead-lettered job has this id`);
        missing += 1;
      }
    }
    return missing > 0 ? 1 : 0;
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
