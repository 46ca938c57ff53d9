import { randomUUID } from 'node:crypto';
import { Entity, Index, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Mail "sent" by the development mail sender (SMTP_URL unset); `npm run mail:outbox` prints the
 * latest, and the hourly purge deletes rows older than 7 days. Never used when SMTP_URL is set.
 */
@Entity({ tableName: 'mail_outbox' })
@Index({ name: 'mail_outbox_created_at_index', properties: ['createdAt'] })
export class MailOutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text', fieldName: 'to_address' })
  to: string;

  @Property({ type: 'text' })
  subject: string;

  @Property({ type: 'text' })
  text: string;

  @Property({ type: 'text' })
  html: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  constructor(message: { to: string; subject: string; text: string; html: string }, now: Date) {
    this.to = message.to;
    this.subject = message.subject;
    this.text = message.text;
    this.html = message.html;
    this.createdAt = now;
  }
}
