import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { PgBoss } from 'pg-boss';
import { JOB_SCHEMA, prepareStatements } from '../../src/adapters/jobs/job-queue';
import { runOperatorCommand } from '../support/command';
import { aUser, signIn } from '../support/factories';
import { recordLogLine, recordSecretsIn } from '../support/log-scan';
import { aNamibianPhone, jobsSettled, lastSmsCode } from '../support/mfa';
import { RequestPhoneVerificationDoc } from '../support/operations';
import { startSmtpSink } from '../support/smtp-sink';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

/**
 * The job queue across processes: one job is worked once however many workers run, an API
 * instance with WORKER=off only writes jobs, `npm run worker` works them and finishes the job in
 * hand on SIGTERM, SMS codes go through the sms job, and the hourly purge is one schedule that
 * runs once per occurrence for the whole cluster.
 */

const root = join(__dirname, '..', '..');

function aMessage(label: string) {
  const to = `${label}-${randomBytes(4).toString('hex')}@example.net`;
  const token = randomBytes(16).toString('base64url');
  recordSecretsIn({ token, secret: to });
  return {
    to,
    subject: `${label} ${randomBytes(3).toString('hex')}`,
    text: `https://account.elcorp.example/reset?token=${token}`,
    html: `<a href="https://account.elcorp.example/reset?token=${token}">reset</a>`,
  };
}

const writeMail = (app: TestApp, message: ReturnType<typeof aMessage>) =>
  app.orm.em.fork().transactional((tx: EntityManager) => app.service.jobs.mail(tx, message));

const count = async (app: TestApp, sql: string, params: unknown[] = []) =>
  (await app.orm.em.getConnection().execute(`select count(*)::int as n from (${sql}) q`, params))[0]
    .n as number;

const doneLines = (lines: string[], queue: string) =>
  lines.filter((l) => l.includes('"job done"') && l.includes(`"queue":"${queue}"`));

describe('the job queue', () => {
  it('has two workers on one database send each of 50 jobs exactly once', async () => {
    const sink = await startSmtpSink();
    const linesA: string[] = [];
    const linesB: string[] = [];
    const a = await startTestApp({ logLines: linesA, env: { SMTP_URL: sink.url } });
    const b = await startTestApp({
      logLines: linesB,
      env: { SMTP_URL: sink.url },
      databaseUrl: a.databaseUrl,
    });
    try {
      const messages = Array.from({ length: 50 }, (_, i) => aMessage(`bulk-${i}`));
      // Written through both instances, each in its own transaction, all at once.
      await Promise.all(messages.map((m, i) => writeMail(i % 2 ? b : a, m)));
      await sink.waitFor(50, 20_000);
      // Every job completed means every send is over (a job is marked done after the server took
      // the message), so any duplicate would already be at the sink.
      const deadline = Date.now() + 20_000;
      while ((await count(a, `select 1 from pgboss.job where name = 'mail' and state <> 'completed'`)) > 0) {
        if (Date.now() > deadline) throw new Error('mail jobs did not all complete');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(sink.messages).toHaveLength(50);
      expect(new Set(sink.messages.map((m) => m.subject))).toEqual(new Set(messages.map((m) => m.subject)));
      const byA = doneLines(linesA, 'mail').length;
      const byB = doneLines(linesB, 'mail').length;
      expect(byA + byB).toBe(50);
      expect(await count(a, `select 1 from pgboss.job where name = 'mail' and state = 'completed'`)).toBe(50);
      process.stdout.write(`50 mail jobs: ${byA} worked by one instance, ${byB} by the other\n`);
    } finally {
      await b.close();
      await a.close();
      await sink.stop();
    }
  });

  it('WORKER=off only writes jobs; `npm run worker` works them and, on SIGTERM, finishes the job in hand', async () => {
    const sink = await startSmtpSink();
    const api = await startTestApp({ env: { SMTP_URL: sink.url, WORKER: 'off' } });
    let worker: ChildProcess | undefined;
    try {
      const first = aMessage('waiting');
      await writeMail(api, first);
      // An API instance with WORKER=off registers no worker: the job waits for one.
      expect(api.service.works).toBe(false);
      expect(sink.messages).toHaveLength(0);
      expect(await count(api, `select 1 from pgboss.job where name = 'mail' and state = 'created'`)).toBe(1);

      const output: string[] = [];
      worker = spawn(process.execPath, [join(root, 'scripts', 'run.cjs'), 'src/worker'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          DATABASE_URL: api.databaseUrl,
          SMTP_URL: sink.url,
          FIELD_ENCRYPTION_KEYS: api.config.fieldEncryptionKeys
            .map((k) => `${k.id}:${k.key.toString('base64')}`)
            .join(','),
          PASSWORD_PEPPER: api.config.passwordPepper.toString('base64'),
          BCRYPT_COST: '4',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => worker?.on('exit', (code) => resolve(code)));
      let pending = '';
      worker.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          output.push(line);
          recordLogLine(line);
        }
      });
      worker.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

      await sink.waitFor(1, 30_000);
      expect(sink.messages[0].subject).toBe(first.subject);

      // The next message is held by the mail server while the worker is told to stop.
      const held = sink.holdMessages();
      const second = aMessage('in-hand');
      await writeMail(api, second);
      await waitUntil('the second message to reach the server', async () => held.started() === 2);
      worker.kill('SIGTERM');
      await waitUntil('the worker to begin shutting down', async () =>
        output.some((line) => line.includes('worker shutting down: finishing the jobs in hand')),
      );
      // Still finishing the job in hand: the message is delivered and its job completed only after
      // the server lets it go (below), and only then does the worker exit.
      expect(worker.exitCode).toBeNull();
      held.release();
      expect(await exited).toBe(0);
      expect(sink.messages.map((m) => m.subject)).toEqual([first.subject, second.subject]);
      expect(await count(api, `select 1 from pgboss.job where name = 'mail' and state = 'completed'`)).toBe(
        2,
      );
      const log = output.join('\n');
      expect(log).toContain('elcorp identity worker started');
      expect(log).toContain('worker shutting down: finishing the jobs in hand');
      expect(log.indexOf('"job done"', log.indexOf('worker shutting down'))).toBeGreaterThan(0);
      expect(log).toContain('"msg":"stopped"');
    } finally {
      if (worker && worker.exitCode === null) worker.kill('SIGKILL');
      await api.close();
      await sink.stop();
    }
  }, 60_000);

  it('without SMTP_URL, writes mail to the mail_outbox table, which `npm run mail:outbox` prints', async () => {
    const app = await startTestApp();
    try {
      const message = aMessage('outbox');
      await writeMail(app, message);
      await jobsSettled(app, 'mail');
      const out = runOperatorCommand(app, 'mail-outbox');
      expect(out.status).toBe(0);
      expect(out.stdout).toContain(`to ${message.to}  subject: ${message.subject}`);
      expect(out.stdout).toContain(`    ${message.text}`);
    } finally {
      await app.close();
    }
  });

  it('sends an SMS code through the sms job, after the request that asked for it committed', async () => {
    const app = await startTestApp();
    try {
      const phone = aNamibianPhone();
      const user = await aUser(app, { phone });
      const session = await signIn(app, user);
      const res = await app.gql(RequestPhoneVerificationDoc, {}, bearer(session.accessToken));
      expect(res.data?.requestPhoneVerification).toBe(true);
      expect(await lastSmsCode(app, phone)).toMatch(/^\d{6}$/);
      expect(await count(app, `select 1 from pgboss.job where name = 'sms' and state = 'completed'`)).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('sends an SMS while the provider still holds an earlier one: a slow send holds back no code', async () => {
    // A provider over HTTP that answers every message at once except those to `slowPhone`,
    // which it holds until the test lets them go.
    const slowPhone = '+264811110001';
    const fastPhone = '+264811110002';
    const received: string[] = [];
    const held: ServerResponse[] = [];
    const provider = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const { to } = JSON.parse(body) as { to: string };
        received.push(to);
        if (to === slowPhone) held.push(res);
        else res.end('{}');
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const { port } = provider.address() as AddressInfo;
    const app = await startTestApp({
      env: {
        SMS_HTTP_URL: `http://127.0.0.1:${port}/sms`,
        SMS_HTTP_TIMEOUT_MS: '60000',
        SMS_HTTP_RETRIES: '0',
      },
    });
    const writeSms = (phone: string) =>
      app.orm.em.fork().transactional((tx: EntityManager) => app.service.jobs.sms(tx, phone, 'code 123456'));
    try {
      await writeSms(slowPhone);
      await waitUntil('the provider holding the first message', () => held.length === 1);
      await writeSms(fastPhone);
      // With one fetch loop the second job would wait for the held send's batch (a minute here).
      await waitUntil(
        'the second message, while the first is held',
        () => received.includes(fastPhone),
        10_000,
      );
      expect(held).toHaveLength(1);
      expect(received).toEqual([slowPhone, fastPhone]);
    } finally {
      for (const res of held) res.end('{}');
      await app.close();
      provider.closeAllConnections();
      await new Promise((resolve) => provider.close(resolve));
    }
  });

  it('wakes workers at once for an SMS job but not for mail, which its worker polls for', async () => {
    const app = await startTestApp({ env: { WORKER: 'off' } });
    const listener = new Client({ connectionString: app.databaseUrl });
    await listener.connect();
    try {
      const [{ channel }] = (
        await listener.query(`select 'pgboss_' || left(encode(sha224($1::bytea), 'hex'), 24) as channel`, [
          JOB_SCHEMA,
        ])
      ).rows;
      const heard: string[] = [];
      listener.on('notification', (n) => {
        if (n.channel === channel) heard.push(n.payload ?? '');
      });
      await listener.query(`listen "${channel}"`);
      await writeMail(app, aMessage('polled'));
      await app.orm.em
        .fork()
        .transactional((tx: EntityManager) => app.service.jobs.sms(tx, '+264811234567', 'x'));
      await writeMail(app, aMessage('polled-too'));
      await waitUntil('the SMS job’s notification', async () => heard.length > 0);
      // Both mails were written around the SMS job, so theirs would have arrived by now.
      await listener.query('select 1');
      expect(heard).toEqual(['sms']);
      expect(await count(app, `select 1 from pgboss.job where name = 'mail' and state = 'created'`)).toBe(2);
    } finally {
      await listener.end();
      await app.close();
    }
  });

  it('keeps one purge schedule for the cluster, whose every occurrence runs on one of two workers', async () => {
    const linesA: string[] = [];
    const linesB: string[] = [];
    // Every minute instead of hourly, and a scheduler that looks every second.
    const tuning = { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 };
    const a = await startTestApp({ logLines: linesA, purgeCron: '* * * * *', jobTuning: tuning });
    const b = await startTestApp({
      logLines: linesB,
      purgeCron: '* * * * *',
      jobTuning: tuning,
      databaseUrl: a.databaseUrl,
    });
    try {
      const schedules = await a.service.jobs.schedules();
      expect(schedules.filter((s) => s.name === 'purge-expired').map((s) => [s.name, s.cron])).toEqual([
        ['purge-expired', '* * * * *'],
      ]);

      // The next minute's occurrence: one job, worked by one of the two.
      await waitUntil(
        'a purge run',
        async () => doneLines([...linesA, ...linesB], 'purge-expired').length > 0,
        75_000,
      );
      // Every purge job of the cluster settled (none waiting or running): a duplicate would show here.
      await waitUntil(
        'every purge job settled',
        async () =>
          (
            await a.orm.em
              .getConnection()
              .execute(
                `select count(*)::int as n from pgboss.job where name = 'purge-expired' and state in ('created', 'retry', 'active')`,
              )
          )[0].n === 0,
        30_000,
      );
      const runs = [...doneLines(linesA, 'purge-expired'), ...doneLines(linesB, 'purge-expired')];
      const minutes = (await a.orm.em
        .getConnection()
        .execute(
          `select date_trunc('minute', created_on) as m, count(*)::int as n from pgboss.job where name = 'purge-expired' group by 1`,
        )) as { n: number }[];
      expect(minutes.every((row) => row.n === 1)).toBe(true);
      expect(runs).toHaveLength(minutes.length);
      expect(runs[0]).toMatch(/"result":\{"sessions":\d+,.*"mailOutbox":\d+/);
    } finally {
      await b.close();
      await a.close();
    }
  }, 100_000);

  it("prepares pg-boss's statements of one command: on its own pool, and in the transaction that writes a job", async () => {
    const app = await startTestApp({ env: { WORKER: 'off' } });
    const boss = new PgBoss({
      connectionString: app.databaseUrl,
      schema: JOB_SCHEMA,
      max: 1,
      supervise: false,
      schedule: false,
      migrate: false,
    });
    prepareStatements(boss);
    const prepared = async (query: (sql: string) => Promise<{ rows: { statement: string }[] }>) =>
      (await query('select statement from pg_prepared_statements')).rows.map((r) =>
        r.statement.replace(/\s+/g, ' ').trim(),
      );
    try {
      await boss.start();
      const queue = `prepared-probe-${randomBytes(3).toString('hex')}`;
      await boss.createQueue(queue);
      await boss.send(queue, { n: 1 });
      const [job] = await boss.fetch(queue);
      await boss.complete(queue, job.id);
      // One connection in pg-boss's pool: the one that prepared them.
      const pool = (
        boss.getDb() as unknown as {
          pool: { query(sql: string): Promise<{ rows: { statement: string }[] }> };
        }
      ).pool;
      const onPool = await prepared((sql) => pool.query(sql));
      // The job's insert, the fetch and the completion, among the rest.
      expect(onPool).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/INSERT INTO pgboss\.job_common .*\$1/),
          expect.stringMatching(/UPDATE pgboss\.job_common SET completed_on/),
          expect.stringMatching(/retry_count = CASE WHEN started_on IS NOT NULL THEN retry_count \+ 1/),
        ]),
      );

      await app.orm.em.fork().transactional(async (tx: EntityManager) => {
        await app.service.jobs.mail(tx, aMessage('prepared'));
        const inTransaction = await prepared(async (sql) => ({ rows: await tx.execute(sql) }));
        expect(inTransaction).toEqual(
          expect.arrayContaining([expect.stringMatching(/INSERT INTO pgboss\.job_common .*\$1/)]),
        );
      });
    } finally {
      await boss.stop({ graceful: false, close: true });
      await app.close();
    }
  });
});
