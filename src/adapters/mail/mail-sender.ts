import type { EntityManager } from '@mikro-orm/postgresql';
import { createTransport } from 'nodemailer';
import type { Clock } from '../../kernel/clock.js';
import { MailOutboxMessage } from './mail-outbox.entity.js';

/** A rendered email: one recipient, a subject, and the same content as plain text and as HTML. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mail goes: the one port to an outside system for email. */
export interface MailSender {
  send(message: OutgoingMail): Promise<void>;
  /** Closes pooled connections; a message still being handed over finishes first. */
  close(): void;
}

/**
 * A message the mail server did not take. It carries codes only (nodemailer's `errorCode`, the
 * SMTP reply code, and as `reason` the system's code under a socket error, e.g. ECONNREFUSED),
 * never the server's text, which names the recipient. `permanent`: the server refused this
 * message or its recipient for good (a 5xx reply to the envelope or the content), so sending it
 * again cannot succeed.
 */
export class MailDeliveryError extends Error {
  constructor(
    readonly errorCode: string,
    readonly responseCode: number | undefined,
    readonly permanent: boolean,
    readonly reason?: string,
  ) {
    super(`mail server did not take the message: ${errorCode}${responseCode ? ` ${responseCode}` : ''}`);
    this.name = 'MailDeliveryError';
  }
}

export interface SmtpOptions {
  /** SMTP_URL: smtp:// (STARTTLS when offered) or smtps://, credentials in the URL. */
  url: string;
  /** MAIL_FROM. */
  from: string;
  /** Connections kept open to the server, one per message being sent at once. */
  maxConnections: number;
}

/** How long the connection, the greeting and each reply may take before the try fails. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** SMTP through nodemailer, over a small pool of connections. */
export function createSmtpMailSender(opts: SmtpOptions): MailSender {
  const transport = createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // nodemailer writes nothing of its own to the console or the logs.
    logger: false,
    debug: false,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from: opts.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
    close: () => transport.close(),
  };
}

function toDeliveryError(err: unknown): MailDeliveryError {
  const e = (err ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    permanent?: unknown;
    originalCode?: unknown;
  };
  const errorCode = typeof e.code === 'string' ? e.code : err instanceof Error ? err.name : 'UNKNOWN';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // Refused by the server for good: the envelope (sender, recipient) or the content. A refused
  // login (EAUTH) or a connection problem is the deployment's to fix, and is retried.
  const permanent = e.permanent === true && (errorCode === 'EENVELOPE' || errorCode === 'EMESSAGE');
  const reason =
    typeof e.originalCode === 'string' && /^E[A-Z]+$/.test(e.originalCode) ? e.originalCode : undefined;
  return new MailDeliveryError(errorCode, responseCode, permanent, reason);
}

/** Development (SMTP_URL unset): mail lands in the mail_outbox table (`npm run mail:outbox`), never in logs. */
export function createOutboxMailSender(deps: { em: EntityManager; clock: Clock }): MailSender {
  return {
    async send(message) {
      await deps.em.fork().insert(MailOutboxMessage, new MailOutboxMessage(message, deps.clock.now()));
    },
    close: () => {},
  };
}
