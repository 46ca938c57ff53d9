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
  /** Work of the identity context done later by a worker (see IdentityTasks), with retries. */
  task<K extends keyof IdentityTaskData>(
    tx: EntityManager,
    name: K,
    data: IdentityTaskData[K],
  ): Promise<void>;
}

/** The identity context's own background tasks and their data. */
export interface IdentityTaskData {
  /**
   * A forgotten-password request, handled off the request path: the request does the same work
   * whether or not the address belongs to an account, so its answer and its timing reveal nothing.
   */
  'password-reset-requested': { email: string };
}

/** The handlers a worker runs for the identity context's tasks. */
export type IdentityTasks = {
  [K in keyof IdentityTaskData]: (em: EntityManager, data: IdentityTaskData[K]) => Promise<void>;
};
