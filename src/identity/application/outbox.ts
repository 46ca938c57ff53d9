import type { EntityManager } from '@mikro-orm/postgresql';

/** An email, rendered: what the mail adapter sends. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Messages to send because of a change, written as jobs in the caller's transaction: sent (with
 * retries) after it commits, never for a change that rolled back, and the request never waits on
 * the mail or SMS provider.
 */
export interface Outbox {
  mail(tx: EntityManager, message: MailMessage): Promise<void>;
  sms(tx: EntityManager, phone: string, body: string): Promise<void>;
}
