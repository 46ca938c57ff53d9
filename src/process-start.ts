import { lowerThreadPoolPriority, sizeThreadPool } from './adapters/crypto/thread-pool.js';
import { type DatabaseHandle, openDatabase } from './adapters/database/database.js';
import { migrateUp, type Orm, pendingMigrations } from './adapters/database/orm.js';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { createLogger, createRequestScope, type Logger, type RequestScopeStorage } from './kernel/logger.js';

/**
 * What the server (main.ts) and a worker process (worker.ts) share at start: the settings (a bad
 * one exits 1 naming each problem), the logger, the database (embedded in development), the
 * composed process, and the migrations (applied in development; in production a pending one stops
 * the process: `npm run migration:up` runs them).
 */
export async function startProcess<S extends { orm: Orm; close(): Promise<void> }>(
  compose: (opts: {
    config: Config;
    databaseUrl: string;
    logger: Logger;
    scope: RequestScopeStorage;
  }) => Promise<S>,
): Promise<{ config: Config; logger: Logger; db: DatabaseHandle; service: S; started: number }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  // Before anything uses libuv's pool: it is sized once, at its first job.
  const poolThreads = sizeThreadPool(config.passwordHashConcurrency);
  const scope = createRequestScope();
  const logger = createLogger({ level: config.logLevel, scope });
  const started = Date.now();
  const lowered = await lowerThreadPoolPriority();
  logger.debug({ poolThreads, lowered }, 'thread pool ready');

  const db = await openDatabase(config, (line) =>
    logger.debug({ postgres: line.trim() }, 'embedded postgres'),
  );
  if (db.embedded) logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');
  const service = await compose({ config, databaseUrl: db.url, logger, scope });

  if (config.profile === 'production') {
    const pending = await pendingMigrations(service.orm);
    if (pending.length > 0) {
      logger.fatal({ pending }, 'migrations pending: run `npm run migration:up` first');
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
  return { config, logger, db, service, started };
}

/** The last word of a process that could not start: the message only, never a stack. */
export function exitOnStartFailure(err: unknown): never {
  console.error('failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
}
