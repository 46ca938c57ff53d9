// First: the process may restart itself with its heap limits before anything else loads.
import './heap-limits.js';
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { composeService } from './composition-root.js';
import { exitOnStartFailure, startProcess } from './process-start.js';

/** How long shutdown waits for running requests before closing the pool under them. */
const SHUTDOWN_DRAIN_MS = 10_000;

/**
 * The server: configuration → database → the composed service → migrations → job queue (and,
 * unless WORKER=off, this process's workers) → listening.
 */
async function main(): Promise<void> {
  const { config, logger, db, service, started } = await startProcess(composeService);

  if (!config.auditLogEnabled) {
    const warn = config.profile === 'production' ? logger.error.bind(logger) : logger.warn.bind(logger);
    warn('AUDIT_LOG_ENABLED=false: security events are NOT being recorded in the audit trail');
  }
  if (config.profile === 'production' && !config.metricsToken)
    logger.warn('METRICS_TOKEN is not set: GET /metrics answers 404 (set it to serve the metrics)');
  await service.start();
  logger.info(
    { worker: service.works },
    service.works ? 'job queue started; this process works jobs' : 'job queue started; WORKER=off',
  );

  const server: Server = createServer(service.app);
  // A port already taken ends the start, told as such (never a "listening" line).
  server.once('error', exitOnStartFailure);
  server.listen(config.port, () => {
    server.off('error', exitOnStartFailure);
    logger.info(
      { port: config.port, profile: config.profile, startupMs: Date.now() - started },
      `elcorp identity listening on http://localhost:${config.port}/graphql`,
    );
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, let the jobs in hand finish, then release
    // the pool and the database.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    logger.debug('http server closed');
    // Handlers whose clients already left are not counted by the server; give them time to finish.
    if (!(await service.drained(SHUTDOWN_DRAIN_MS)))
      logger.warn({ waitedMs: SHUTDOWN_DRAIN_MS }, 'requests still running at shutdown are cut short');
    await service.close();
    logger.debug('job queue stopped, database pool closed');
    await db.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch(exitOnStartFailure);
