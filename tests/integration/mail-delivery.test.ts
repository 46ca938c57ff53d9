import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runOperatorCommand } from '../support/command';
import { recordSecretsIn } from '../support/log-scan';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Mail through the job queue to a real SMTP server (smtp-server in this process), with the
 * service's own worker: written in the caller's transaction, retried while the server is away,
 * dead-lettered when it refuses for good or retries run out, and sent again by an operator.
 */

let sink: SmtpSink;
let app: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp({
    logLines,
    env: {
      SMTP_URL: sink.url,
      MAIL_FROM: 'elcorp identity <no-reply@elcorp.example>',
      // Three attempts a second apart: outages in these tests last a few seconds.
      JOB_RETRY_LIMIT: '2',
      JOB_RETRY_DELAY_SECONDS: '1',
      JOB_RETRY_BACKOFF: 'false',
    },
    jobTuning: { pollingIntervalSeconds: 0.5 },
  });
  await app.orm.em.getConnection().execute('create table test_changes (id text primary key)');
});
afterAll(async () => {
  await app?.close();
  await sink?.stop();
});

/** A message like the service's: a link with a token in both parts. The token and address are secrets for the log scan. */
function aMessage(label: string) {
  const token = randomBytes(24).toString('base64url');
  const to = `${label}-${randomBytes(4).toString('hex')}@example.net`;
  const link = `https://account.elcorp.example/verify-email?token=${token}`;
  recordSecretsIn({ token, secret: to, secretLink: link });
  return {
    token,
    link,
    message: {
      to,
      subject: `Confirm your address (${label})`,
      text: `Open this link to confirm your address:\n${link}\n`,
      html: `<p>Open this link to confirm your address:</p><p><a href="${link}">${link}</a></p>`,
    },
  };
}

/** One transaction: a change (a row of test_changes) and the mail it asks for; `fail` rolls it back. */
async function change(id: string, message: ReturnType<typeof aMessage>['message'], fail = false) {
  await app.orm.em.fork().transactional(async (tx: EntityManager) => {
    await tx.execute('insert into test_changes (id) values (?)', [id]);
    await app.service.jobs.mail(tx, message);
    if (fail) throw new Error('rolled back on purpose');
  });
}

const jobOf = async (subject: string) =>
  (
    await app.orm.em
      .getConnection()
      .execute(
        `select id, name, state, retry_count, output from pgboss.job where data->>'subject' = ? order by created_on`,
        [subject],
      )
  )[0] as
    | { id: string; name: string; state: string; retry_count: number; output: Record<string, unknown> }
    | undefined;

const changeExists = async (id: string) =>
  (await app.orm.em.getConnection().execute('select 1 from test_changes where id = ?', [id])).length === 1;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const received = (subject: string) => sink.messages.filter((m) => m.subject === subject);

describe('mail through the job queue', () => {
  it('delivers a message of a committed transaction over SMTP: plain text and HTML, from MAIL_FROM, logged in with the URL credentials', async () => {
    const { message, link } = aMessage('committed');
    await change('committed', message);
    await until('the message', async () => received(message.subject)[0]);
    const [mail] = received(message.subject);
    expect(mail.rcptTo).toEqual([message.to]);
    expect(mail.mailFrom).toBe('no-reply@elcorp.example');
    expect(mail.from).toBe('"elcorp identity" <no-reply@elcorp.example>');
    expect(mail.contentType).toBe('multipart/alternative: text/plain, text/html');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`<a href="${link}">`);
    expect(sink.logins()).toBeGreaterThan(0);
    const job = await until('the job completed', async () => {
      const j = await jobOf(message.subject);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job).toMatchObject({ name: 'mail', retry_count: 0 });
  });

  it('sends nothing for a transaction that rolled back: neither the change nor its job exists', async () => {
    const { message } = aMessage('rolled-back');
    await expect(change('rolled-back', message, true)).rejects.toThrow('rolled back on purpose');
    expect(await changeExists('rolled-back')).toBe(false);
    expect(await jobOf(message.subject)).toBeUndefined();
    // A message committed after it arrives; the rolled-back one never does.
    const { message: later } = aMessage('after-rollback');
    await change('after-rollback', later);
    await until('the later message', async () => received(later.subject)[0]);
    expect(received(message.subject)).toEqual([]);
  });

  it('retries while the SMTP server is down, the transaction having committed, and delivers once when it is back', async () => {
    await sink.stop();
    const { message } = aMessage('outage');
    try {
      await change('outage', message); // succeeds: the request does not wait for the mail server
      expect(await changeExists('outage')).toBe(true);
      const failed = await until('a failed attempt', async () => {
        const job = await jobOf(message.subject);
        return job?.state === 'retry' ? job : undefined;
      });
      // The stored error holds codes only: no address, no text of the server.
      expect(failed.output).toEqual({
        type: 'MailDeliveryError',
        errorCode: 'ESOCKET',
        reason: 'ECONNREFUSED',
      });
      expect(JSON.stringify(failed.output)).not.toContain(message.to);
      // An operator sees it waiting for its next attempt (this process's worker waits meanwhile).
      const listed = runOperatorCommand(app, 'jobs-failed');
      expect(listed.stdout).toMatch(
        new RegExp(
          `^${failed.id} +mail +retrying +1 +MailDeliveryError ESOCKET ECONNREFUSED +next try `,
          'm',
        ),
      );
      expect(listed.stdout).not.toContain(message.to);
    } finally {
      await sink.start();
    }
    await until('the message after the outage', async () => received(message.subject)[0]);
    const job = await until('the job completed', async () => {
      const j = await jobOf(message.subject);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job.retry_count).toBeGreaterThanOrEqual(1);
    // Completed: no attempt of it is left to run, so the one message received is the only one.
    expect(received(message.subject)).toHaveLength(1);
    const lines = logLines.filter((l) => l.includes(job.id));
    expect(
      lines.some((l) => l.includes('job failed; it will be retried') && l.includes('ECONNREFUSED')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('"job done"'))).toBe(true);
  });

  it('dead-letters a job when retries run out: jobs:failed lists it without its content, jobs:retry sends it', async () => {
    await sink.stop();
    const { message, token, link } = aMessage('exhausted');
    let original: { id: string };
    try {
      await change('exhausted', message);
      original = await until('the job to fail for good', async () => {
        const job = await jobOf(message.subject);
        return job?.state === 'failed' ? job : undefined;
      });
    } finally {
      await sink.start();
    }
    expect(received(message.subject)).toEqual([]);

    const listed = runOperatorCommand(app, 'jobs-failed');
    expect(listed.status).toBe(0);
    const row = listed.stdout.split('\n').find((l) => / mail +dead /.test(l));
    expect(row).toBeDefined();
    expect(row).toMatch(/ 3 +MailDeliveryError ESOCKET ECONNREFUSED /); // three attempts: the first and two retries
    for (const secret of [message.to, message.subject, token, link, 'Open this link'])
      expect(listed.stdout + listed.stderr).not.toContain(secret);
    const deadId = row?.split(/\s+/)[0] as string;
    expect(deadId).not.toBe(original.id);

    const retried = runOperatorCommand(app, 'jobs-retry', [deadId]);
    expect(retried.status).toBe(0);
    expect(retried.stdout).toContain(`${deadId}: sent again through the mail queue`);
    await until('the retried message', async () => received(message.subject)[0]);
    expect(received(message.subject)[0].text).toContain(link);

    // Gone from the dead letters; asking again finds nothing.
    expect(runOperatorCommand(app, 'jobs-failed').stdout).not.toContain(deadId);
    const again = runOperatorCommand(app, 'jobs-retry', [deadId]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('no dead-lettered job has this id');
  });

  it('dead-letters at once a message the server refuses for good (550), and retries it by the failed job id', async () => {
    sink.refuseRecipients(550);
    const { message } = aMessage('refused');
    let job: { id: string; retry_count: number; output: Record<string, unknown> };
    try {
      await change('refused', message);
      job = await until('the refusal', async () => {
        const j = await jobOf(message.subject);
        return j?.state === 'failed' ? j : undefined;
      });
    } finally {
      sink.refuseRecipients(undefined);
    }
    expect(job.retry_count).toBe(0); // no retry: sending it again cannot help
    expect(job.output).toEqual({
      type: 'MailDeliveryError',
      errorCode: 'EENVELOPE',
      responseCode: 550,
      permanent: true,
    });
    expect(logLines.some((l) => l.includes(job.id) && l.includes('job failed for good'))).toBe(true);

    const retried = runOperatorCommand(app, 'jobs-retry', [job.id]);
    expect(retried.stdout).toContain('sent again through the mail queue');
    await until('the message, accepted this time', async () => received(message.subject)[0]);
  });

  it('writes no recipient, subject, link or token into any log line', () => {
    // The suite's log scan checks every secret recorded above against every line; here, the
    // recipients and links of this file against this app's lines, by name.
    const all = logLines.join('\n');
    for (const m of sink.messages) {
      expect(all).not.toContain(m.rcptTo[0]);
      expect(all).not.toContain(m.subject);
    }
    expect(all).not.toContain('token=');
  });
});
