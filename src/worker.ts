// First: the process may restart itself with its heap limits before anything else loads.
import './heap-limits.js';
import 'reflect-metadata';
import { composeWorker } from './composition-root.js';
import { describeError } from './kernel/describe-error.js';
import { exitOnStartFailure, startProcess } from './process-start.js';

/**
 * A worker process, no HTTP server: configuration → database → the composed worker → migrations
 * → the job queue's workers and schedules. SIGTERM or SIGINT: no new jobs are taken, the jobs in
 * hand finish, then the process exits.
 */
async function worker(): Promise<void> {
  const { config, logger, db, service, started } = await startProcess(composeWorker);
  await service.start();
  logger.info({ profile: config.profile, startupMs: Date.now() - started }, 'elcorp identity worker started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down: finishing the jobs in hand');
    try {
      await service.close();
      await db.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ error: describeError(err) }, 'worker shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

worker().catch(exitOnStartFailure);
