import 'reflect-metadata';
import { openDatabase } from './adapters/database/database.js';
import { migrateUp } from './adapters/database/orm.js';
import { composeWorker } from './composition-root.js';
import { ConfigError, loadConfig } from './config/config.js';
import { describeError } from './kernel/describe-error.js';
import { createLogger, createRequestScope } from './kernel/logger.js';

/**
 * A worker process, no HTTP server: configuration → database → the composed worker → migrations
 * → the job queue's workers and schedules. SIGTERM or SIGINT: no new jobs are taken, the jobs in
 * hand finish, then the process exits.
 */
async function worker(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const scope = createRequestScope();
  const logger = createLogger({ level: config.logLevel, scope });
  const started = Date.now();

  const db = await openDatabase(config, (line) =>
    logger.debug({ postgres: line.trim() }, 'embedded postgres'),
  );
  if (db.embedded) logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
  const service = await composeWorker({ config, databaseUrl: db.url, logger, scope });

  if (config.profile === 'production') {
    const pending = await service.orm.getMigrator().getPendingMigrations();
    if (pending.length > 0) {
      logger.fatal(
        { pending: pending.map((m) => m.name) },
        'migrations pending: run `npm run migration:up` first',
      );
      await service.close();
      await db.stop();
      process.exit(1);
    }
  } else {
    const applied = await migrateUp(service.orm);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  if (!config.mail.smtpUrl && config.profile === 'production')
    logger.error('SMTP_URL is not set: mail is written to the mail_outbox table and NOT sent');

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

worker().catch((err: unknown) => {
  console.error('failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
