import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { freePort } from './ports';

/** A message the sink accepted, parsed. */
export interface ReceivedMail {
  /** The envelope: who the client said it was from, and to. */
  mailFrom: string;
  rcptTo: string[];
  /** The From header, as written. */
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Content types of the MIME parts, e.g. multipart/alternative with text/plain and text/html. */
  contentType: string;
  messageId: string;
}

export interface SmtpSinkOptions {
  /** The credentials the sink asks for (LOGIN/PLAIN over plain SMTP). */
  user?: string;
  password?: string;
}

/**
 * An SMTP server for the tests (smtp-server, no TLS): accepts mail on a free port of 127.0.0.1,
 * after a login with its credentials, and keeps every message it accepted, parsed (mailparser).
 * It can be stopped and started again on the same port, and told to refuse recipients.
 */
export async function startSmtpSink(opts: SmtpSinkOptions = {}) {
  const user = opts.user ?? 'sink-user';
  const password = opts.password ?? 'sink-password';
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  /** The reply code for RCPT TO, when refusing (e.g. 550: mailbox unavailable, for good). */
  let refuseWith: number | undefined;
  /** While set, a message's data is held (not answered) until this promise settles. */
  let hold: Promise<void> | undefined;
  let dataStarted = 0;
  let logins = 0;
  let server: SMTPServer | undefined;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        authMethods: ['PLAIN', 'LOGIN'],
        logger: false,
        closeTimeout: 200,
        size: 1024 * 1024,
        onAuth(auth, _session, callback) {
          if (auth.username === user && auth.password === password) {
            logins += 1;
            return callback(null, { user });
          }
          return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
        },
        onRcptTo(_address, _session, callback) {
          if (refuseWith) {
            const err: SMTPServerError = new Error('Mailbox unavailable');
            err.responseCode = refuseWith;
            return callback(err);
          }
          callback();
        },
        onData(stream, session, callback) {
          dataStarted += 1;
          const held = hold ?? Promise.resolve();
          Promise.all([simpleParser(stream), held]).then(
            ([parsed]) => {
              messages.push({
                mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                rcptTo: session.envelope.rcptTo.map((r) => r.address),
                from: parsed.from?.text ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                contentType: contentTypeOf(parsed),
                messageId: parsed.messageId ?? '',
              });
              callback();
            },
            (err: Error) => callback(err),
          );
        },
      });
      s.on('error', () => {});
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });

  await listen();

  return {
    port,
    /** SMTP_URL for the service: plain SMTP with the sink's credentials. */
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    messages,
    /** Successful logins so far. */
    logins: () => logins,
    /** Refuses every recipient with this reply code from now on (undefined: accept again). */
    refuseRecipients(code: number | undefined) {
      refuseWith = code;
    },
    /**
     * Holds every message's data from now on, unanswered, until the returned release() is
     * called; `started()` counts messages whose data began to arrive.
     */
    holdMessages() {
      let release = () => {};
      hold = new Promise<void>((resolve) => {
        release = () => {
          hold = undefined;
          resolve();
        };
      });
      return { release, started: () => dataStarted };
    },
    /** Waits until `count` messages have arrived (in all), polling until `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `the SMTP sink received ${messages.length} of ${count} messages in ${timeoutMs} ms`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    /** Stops listening and drops open connections: connecting is refused until start(). */
    async stop(): Promise<void> {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const connection of s.connections) connection.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    /** Listens again, on the same port. */
    async start(): Promise<void> {
      if (!server) await listen();
    },
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;

/** The top content type and the types of the parts below it, e.g. "multipart/alternative: text/plain, text/html". */
function contentTypeOf(parsed: {
  headers: Map<string, unknown>;
  text?: string;
  html?: string | false;
}): string {
  const header = parsed.headers.get('content-type') as { value?: string } | undefined;
  const parts = [parsed.text !== undefined ? 'text/plain' : '', parsed.html ? 'text/html' : ''].filter(
    Boolean,
  );
  return `${header?.value ?? ''}: ${parts.join(', ')}`;
}
