import type { TestApp } from './test-app';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The mails the development sender wrote for an address, oldest first, once at least `count`
 * are there: the worker sends them after the request's transaction commits, so this polls with a
 * deadline.
 */
export async function mailsTo(
  app: TestApp,
  address: string,
  opts: { count?: number; timeoutMs?: number } = {},
): Promise<ReceivedMail[]> {
  const count = opts.count ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const rows: ReceivedMail[] = await app.orm.em
      .getConnection()
      .execute(
        'select to_address as "to", subject, text, html from mail_outbox where to_address = ? order by created_at, id',
        [address],
      );
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The mail with this subject, once it arrived (or a failing expectation's undefined). */
export async function mailTo(
  app: TestApp,
  address: string,
  subject: string,
): Promise<ReceivedMail | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await mailsTo(app, address, { count: 0 })).find((m) => m.subject === subject);
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The token of the link in a mail's plain-text body. */
export function linkToken(mail: ReceivedMail | undefined): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '');
  if (!match) throw new Error(`no link in mail: ${mail?.subject}`);
  return match[1];
}
