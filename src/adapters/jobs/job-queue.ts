import type { EntityManager } from '@mikro-orm/postgresql';
import { fromKnex, type JobResult, type JobWithMetadata, type KnexTransactionLike, PgBoss } from 'pg-boss';
import type { Logger } from '../../kernel/logger.js';
import { openTransactionOf, statementNames } from '../database/prepared-statements.js';
import { describeJobOutput, isPermanent, jobErrorCodes } from './job-errors.js';

/** pg-boss keeps its tables in this schema of the service's database, and installs and migrates it itself. */
export const JOB_SCHEMA = 'pgboss';

export const MAIL_QUEUE = 'mail';
export const SMS_QUEUE = 'sms';
/** A task of the identity context named `name` is a job in the queue `task.<name>`. */
export const taskQueue = (name: string) => `task.${name}`;
/** Where a queue's jobs go once their retries are spent: `<queue>.dead`. Nothing works these queues. */
export const deadLetterQueue = (queue: string) => `${queue}.dead`;

/** How a failed job is retried (JOB_RETRY_*). */
export interface RetryPolicy {
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  retryDelayMaxSeconds: number;
}

/** Timings with defaults for production; tests shorten some. */
export interface JobTuning {
  /**
   * New SMS and task jobs wake the workers at once (LISTEN/NOTIFY); besides, each worker looks this
   * often for retries that came due and for jobs whose notification it missed, for every job when
   * it does not listen (behind a transaction pooler), and always for mail, which is never notified.
   */
  pollingIntervalSeconds: number;
  /** How often the scheduler looks for occurrences that came due (pg-boss's cron monitor). */
  cronMonitorIntervalSeconds: number;
  /** How often the scheduler's own queue is polled for occurrences to hand to their queue. */
  cronWorkerIntervalSeconds: number;
  /** Jobs of one queue one process works at once. */
  concurrency: number;
  /** At stop, how long jobs in hand may take to finish before they are failed (and retried elsewhere). */
  stopGraceMs: number;
}

const DEFAULT_TUNING: JobTuning = {
  pollingIntervalSeconds: 2,
  cronMonitorIntervalSeconds: 30,
  cronWorkerIntervalSeconds: 5,
  concurrency: 4,
  stopGraceMs: 20_000,
};

/**
 * Scheduled work: a cron expression (UTC) and what runs, once per occurrence in the whole cluster.
 * Without a cron the schedule is off: its row is removed, so the cluster stops running it.
 */
export interface ScheduledJob {
  name: string;
  cron: string | undefined;
  run(): Promise<unknown>;
}

/** What the workers of this process run. */
export interface JobHandlers {
  mail(message: MailJob): Promise<void>;
  sms(phone: string, body: string): Promise<void>;
  /** A handler per task name; the data is what `task()` was given. */
  tasks: Record<string, (data: object) => Promise<void>>;
  schedules: ScheduledJob[];
}

/** The data of a mail job: the rendered message. */
export interface MailJob {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface JobQueueOptions {
  databaseUrl: string;
  logger: Logger;
  retry: RetryPolicy;
  /**
   * `worker`: sends, works jobs, runs pg-boss's maintenance and the scheduler. `producer`: only
   * writes jobs (an API instance with WORKER=off). `operator`: the jobs:* commands.
   */
  role: 'worker' | 'producer' | 'operator';
  /**
   * Whether a worker may be woken through LISTEN/NOTIFY (default true). A listener needs a session
   * of its own, which a pooler in transaction mode does not give: there the workers poll only.
   */
  listen?: boolean;
  /**
   * Whether pg-boss's statements of one command go out as named prepared statements, each parsed
   * and planned once per connection (default false). Only on direct connections to PostgreSQL: a pooler
   * in transaction mode may run the next use on a server connection that never prepared it.
   */
  prepared?: boolean;
  tuning?: Partial<JobTuning>;
}

/** One failed job, for an operator: never its data (it holds addresses, codes and links with tokens). */
export interface FailedJob {
  /** The id to pass to `jobs:retry`. */
  id: string;
  /** The queue it failed in. */
  queue: string;
  /** `dead`: out of retries, waiting for an operator. `retrying`: failed, tried again at `at`. */
  state: 'dead' | 'retrying';
  attempts: number;
  lastError: string;
  /** Dead: when it was dead-lettered. Retrying: when the next attempt is due. */
  at: Date;
}

/**
 * The job queue on the service's PostgreSQL (pg-boss, schema `pgboss`). Mail, SMS and tasks are
 * written as jobs inside the caller's transaction, so a job exists exactly when the change that
 * asked for it committed; workers (in any number of processes) claim each job once (SKIP LOCKED),
 * retry failures with backoff, and move jobs out of retries into `<queue>.dead`.
 */
export function createJobQueue(opts: JobQueueOptions) {
  const tuning = { ...DEFAULT_TUNING, ...opts.tuning };
  const { logger, retry } = opts;
  const worker = opts.role === 'worker';
  const boss = new PgBoss({
    connectionString: opts.databaseUrl,
    schema: JOB_SCHEMA,
    application_name: `elcorp-identity-jobs-${opts.role}`,
    max: worker ? 2 * tuning.concurrency + 2 : 2,
    // The worker keeps the queue tidy (expiring abandoned attempts, deleting old jobs) and runs
    // the scheduler; a producer only inserts.
    supervise: worker,
    schedule: worker,
    migrate: true,
    useListenNotify: worker && opts.listen !== false,
    cronMonitorIntervalSeconds: tuning.cronMonitorIntervalSeconds,
    cronWorkerIntervalSeconds: tuning.cronWorkerIntervalSeconds,
    registerInstance: opts.role !== 'operator',
    instanceName: `elcorp-identity-${opts.role}`,
    // No traces or metrics are exported; none are stored on jobs either.
    openTelemetry: { enabled: false },
  });
  if (opts.prepared) prepareStatements(boss);
  boss.on('error', (err) => logger.error({ error: jobErrorCodes(err) }, 'job queue error'));
  boss.on('warning', (warning) =>
    logger.warn({ warning: (warning.data as { type?: string } | undefined)?.type }, 'job queue warning'),
  );

  const retryOptions = {
    retryLimit: retry.retryLimit,
    retryDelay: retry.retryDelaySeconds,
    retryBackoff: retry.retryBackoff,
    // The maximum bounds the backoff; pg-boss takes it only with backoff on.
    ...(retry.retryBackoff ? { retryDelayMax: retry.retryDelayMaxSeconds } : {}),
  };
  /** The queues that carry messages or tasks: each with retries and a dead-letter queue. */
  const deliveryQueues = (tasks: string[]) => [
    // Completed jobs (whose data holds links with tokens) are deleted after an hour.
    // Mail is polled, never notified: it may wait for the next poll, and in exchange a job costs no
    // NOTIFY in the transaction that writes it (PostgreSQL serialises notifying commits) and its
    // worker fetches and completes mail in batches instead of one fetch per job. SMS codes and
    // tasks wake their workers at once.
    { name: MAIL_QUEUE, expireInSeconds: 120, deleteAfterSeconds: 3600, notify: false },
    { name: SMS_QUEUE, expireInSeconds: 60, deleteAfterSeconds: 3600, notify: true },
    ...tasks.map((t) => ({
      name: taskQueue(t),
      expireInSeconds: 300,
      deleteAfterSeconds: 3600,
      notify: true,
    })),
  ];
  let started = false;
  let working = false;
  let taskNames: string[] = [];

  async function createQueues(): Promise<void> {
    for (const q of deliveryQueues(taskNames)) {
      const dead = deadLetterQueue(q.name);
      // Dead letters wait 14 days for an operator (`jobs:failed`, `jobs:retry`), then go.
      const deadOptions = { retentionSeconds: 14 * 86400, deleteAfterSeconds: 86400 };
      if (!(await boss.getQueue(dead))) await boss.createQueue(dead, deadOptions);
      const options = { ...retryOptions, ...q, deadLetter: dead };
      if (!(await boss.getQueue(q.name))) await boss.createQueue(q.name, options);
      // The queue's row holds the settings a retried or redriven job takes: kept to this configuration.
      else
        await boss.updateQueue(q.name, {
          ...retryOptions,
          retryDelayMax: retryOptions.retryDelayMax ?? null,
          expireInSeconds: q.expireInSeconds,
          deleteAfterSeconds: q.deleteAfterSeconds,
          notify: q.notify,
        });
    }
  }

  async function send(tx: EntityManager, queue: string, data: object): Promise<void> {
    if (!started) throw new Error('the job queue is not started');
    const trx = openTransactionOf<KnexTransactionLike & { client: TransactionClient }>(tx);
    if (!trx) throw new Error('jobs are written inside the transaction of the change that asks for them');
    await boss.send(queue, data, { db: opts.prepared ? preparedIn(trx.client) : fromKnex(trx) });
  }

  /** Runs one job and says how it ended; logs job id, queue, attempt and codes only. */
  async function runJob(
    queue: string,
    job: JobWithMetadata<object>,
    handle: () => Promise<unknown>,
  ): Promise<JobResult> {
    const attempt = job.retryCount + 1;
    const begun = Date.now();
    // From when it could first be taken (the start of the transaction that wrote it, or for a
    // retry the moment it came due) to this worker taking it.
    const waitedMs = job.startedOn.getTime() - Math.max(job.createdOn.getTime(), job.startAfter.getTime());
    try {
      const result = await handle();
      logger.info(
        {
          jobId: job.id,
          queue,
          attempt,
          waitedMs,
          ms: Date.now() - begun,
          ...(isCounts(result) ? { result } : {}),
        },
        'job done',
      );
      return { id: job.id, status: 'completed' };
    } catch (err) {
      const codes = jobErrorCodes(err);
      const permanent = isPermanent(err);
      const dead = permanent || job.retryCount >= job.retryLimit;
      const line = {
        jobId: job.id,
        queue,
        attempt,
        of: job.retryLimit + 1,
        ms: Date.now() - begun,
        error: codes,
      };
      if (dead)
        logger.error(
          { ...line, permanent, deadLetter: job.deadLetter },
          'job failed for good: moved to its dead letters (npm run jobs:failed)',
        );
      else logger.warn(line, 'job failed; it will be retried');
      return {
        id: job.id,
        status: permanent ? 'deadletter' : 'failed',
        output: { ...codes, ...(permanent ? { permanent } : {}) },
      };
    }
  }

  async function workQueue(
    queue: string,
    concurrency: number,
    handle: (job: JobWithMetadata<object>) => Promise<unknown>,
    loops = 1,
  ): Promise<void> {
    // Up to `concurrency` jobs in hand, fetched by `loops` loops in batches worked in parallel.
    // A loop whose fetch came back full fetches again at once, so a backlog drains without
    // waiting out the polling interval between jobs; a short fetch goes back to waiting. A batch
    // is done when its slowest job is: a slow send holds back the jobs its loop fetches next, for
    // as long as the sender's timeouts let it. A new job's notification wakes every loop of its
    // queue and each then fetches, so a second loop costs a second (mostly empty) fetch per job.
    const batchSize = Math.ceil(concurrency / loops);
    await boss.work(
      queue,
      {
        batchSize,
        localConcurrency: loops,
        burstWhenBatchFull: batchSize > 1,
        includeMetadata: true,
        perJobResults: true,
        pollingIntervalSeconds: tuning.pollingIntervalSeconds,
        notifyPollingIntervalSeconds: tuning.pollingIntervalSeconds,
      },
      async (jobs: JobWithMetadata<object>[]) =>
        Promise.all(jobs.map((job) => runJob(queue, job, () => handle(job)))),
    );
  }

  return {
    /**
     * Installs or migrates the `pgboss` schema and creates the queues (mail, sms and one per task
     * name, each with its dead letters). Needed before any job is written.
     */
    async start(options: { tasks?: string[] } = {}): Promise<void> {
      taskNames = options.tasks ?? [];
      await boss.start();
      if (opts.role !== 'operator') await createQueues();
      started = true;
    },

    /**
     * Starts this process's workers and registers the schedules (one row per schedule, however
     * many instances register it; pg-boss sends each occurrence once for the whole cluster).
     */
    async work(handlers: JobHandlers): Promise<void> {
      if (!worker) throw new Error('only a worker instance works jobs');
      if (working) return;
      working = true;
      await workQueue(MAIL_QUEUE, tuning.concurrency, (job) => handlers.mail(job.data as MailJob));
      // Two loops for SMS: a sign-in waits for its code, which one slow send must not hold back.
      // Mail has one: a notice or a link a few seconds late is fine, and a fetch per job is saved.
      await workQueue(
        SMS_QUEUE,
        tuning.concurrency,
        (job) => {
          const { phone, body } = job.data as { phone: string; body: string };
          return handlers.sms(phone, body);
        },
        Math.min(2, tuning.concurrency),
      );
      for (const [name, handle] of Object.entries(handlers.tasks)) {
        if (!taskNames.includes(name)) throw new Error(`task ${name} has no queue: name it at start`);
        await workQueue(taskQueue(name), 2, (job) => handle(job.data));
      }
      for (const s of handlers.schedules) {
        if (!s.cron) {
          if (await boss.getQueue(s.name)) await boss.unschedule(s.name);
          continue;
        }
        if (!(await boss.getQueue(s.name)))
          await boss.createQueue(s.name, {
            retryLimit: 2,
            retryDelay: 60,
            expireInSeconds: 900,
            deleteAfterSeconds: 7 * 86400,
          });
        await boss.schedule(s.name, s.cron, null, { tz: 'UTC' });
        await workQueue(s.name, 1, () => s.run());
      }
    },

    /** Waits for the jobs in hand (up to the grace period), then closes pg-boss's connections. */
    async stop(): Promise<void> {
      await boss.stop({ graceful: true, timeout: tuning.stopGraceMs, close: true });
      started = false;
    },

    /** The outbox: messages written as jobs in `tx`'s transaction. */
    mail: (tx: EntityManager, message: MailJob) =>
      send(tx, MAIL_QUEUE, {
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      }),
    sms: (tx: EntityManager, phone: string, body: string) => send(tx, SMS_QUEUE, { phone, body }),
    task: (tx: EntityManager, name: string, data: object) => send(tx, taskQueue(name), data),

    /** Jobs that failed: those out of retries (dead), then those waiting for their next attempt. */
    async failed(): Promise<FailedJob[]> {
      const out: FailedJob[] = [];
      const queues = (await boss.getQueues()).map((q) => q.name);
      for (const dead of queues.filter((q) => q.endsWith('.dead'))) {
        for (const job of await boss.findJobs(dead, { queued: true, limit: 1000 })) {
          out.push({
            id: job.id,
            queue: job.sourceName ?? dead.slice(0, -'.dead'.length),
            state: 'dead',
            attempts: (job.sourceRetryCount ?? 0) + 1,
            lastError: describeJobOutput(job.sourceOutput),
            at: job.createdOn,
          });
        }
      }
      for (const queue of queues.filter((q) => !q.endsWith('.dead'))) {
        for (const job of await boss.findJobs(queue, { queued: true, limit: 1000 })) {
          if (job.state !== 'retry') continue;
          out.push({
            id: job.id,
            queue,
            state: 'retrying',
            attempts: job.retryCount + 1,
            lastError: describeJobOutput(job.output),
            at: job.startAfter,
          });
        }
      }
      return out;
    },

    /**
     * Sends a dead-lettered job again, as a new job in its queue with a fresh retry budget. `id` is
     * the dead letter's id (as `jobs:failed` prints it) or the id of the job that failed.
     * Returns the queue it went back to, or undefined when no dead letter has that id.
     */
    async retry(id: string): Promise<string | undefined> {
      const queues = (await boss.getQueues()).map((q) => q.name).filter((q) => q.endsWith('.dead'));
      for (const dead of queues) {
        const jobs = await boss.findJobs(dead, { queued: true, limit: 100_000 });
        const job = jobs.find((j) => j.id === id || j.sourceId === id);
        if (!job) continue;
        const moved = await boss.redrive(dead, { ids: [job.id] });
        return moved === 1 ? (job.sourceName ?? undefined) : undefined;
      }
      return undefined;
    },

    /**
     * Jobs per queue (dead letters included): waiting (ready, retrying later or scheduled) and in
     * a worker's hands. pg-boss counts them itself, at most once a minute for the whole cluster
     * (a cheaper read of its last count in between), so the figures lag by up to a minute, and
     * hold even when no process here works jobs.
     */
    async depth(): Promise<{ queue: string; queued: number; active: number }[]> {
      const queues = (await boss.getQueues()).map((q) => q.name);
      return Promise.all(
        queues.map(async (queue) => {
          const [stats] = await boss.getQueueStats(queue, { force: true });
          return { queue, queued: stats?.queuedCount ?? 0, active: stats?.activeCount ?? 0 };
        }),
      );
    },

    /** Schedules as stored: one row per schedule for the whole cluster. */
    schedules: () => boss.getSchedules(),
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;

/** What pg-boss's statements return. */
interface SqlResult {
  rows: Record<string, unknown>[];
}

/** A pg connection: its query takes a named statement. */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<SqlResult>;
}

/** The client of a knex transaction: it hands out the transaction's own connection (and keeps it). */
interface TransactionClient {
  acquireConnection(): Promise<PgConnection>;
}

/**
 * Runs pg-boss's statements of one command as named prepared statements on its own pool (see
 * JobQueueOptions.prepared): the fetch, the completion and their like, each planned once per
 * connection instead of on every call (in a benchmark sign-in's notice, about a third of a
 * millisecond of PostgreSQL's CPU each). Texts of several commands (its migrations, its
 * maintenance), and the calls it makes with its own connection handling, go through its own
 * method unchanged.
 */
export function prepareStatements(boss: PgBoss): void {
  const db = boss.getDb() as unknown as {
    pool?: PgConnection;
    executeSql(text: string, values?: unknown[], opts?: object): Promise<SqlResult>;
  };
  if (typeof db.executeSql !== 'function') throw new Error('pg-boss has no executeSql to prepare with');
  const own = db.executeSql.bind(db);
  db.executeSql = (text, values, options) => {
    const name = !options && db.pool ? preparedName(text) : undefined;
    return name && db.pool ? db.pool.query({ name, text, values: values ?? [] }) : own(text, values, options);
  };
}

/** pg-boss's statements inside a knex transaction, as named prepared statements on its connection. */
function preparedIn(client: TransactionClient) {
  return {
    async executeSql(text: string, values: unknown[] = []): Promise<SqlResult> {
      const connection = await client.acquireConnection();
      const name = preparedName(text);
      return name
        ? connection.query({ name, text, values })
        : (connection as unknown as { query(text: string, values: unknown[]): Promise<SqlResult> }).query(
            text,
            values,
          );
    },
  };
}

/**
 * pg-boss writes some names into its statements (a queue's, for one), so the number of its texts
 * grows with the queues: at most this many are prepared, which bounds what each connection keeps.
 */
const PREPARED_TEXTS_MAX = 200;
const namedText = statementNames(PREPARED_TEXTS_MAX);

/**
 * The name `text` is prepared under; undefined for a text of several commands (a prepared
 * statement is one command, and commands are separated by semicolons: a text without one is a
 * single command), and past PREPARED_TEXTS_MAX texts.
 */
const preparedName = (text: string): string | undefined => (text.includes(';') ? undefined : namedText(text));

/** A handler's result worth a log line: counts only (the purge's rows deleted per table). */
const isCounts = (value: unknown): value is Record<string, number> =>
  !!value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'number');
