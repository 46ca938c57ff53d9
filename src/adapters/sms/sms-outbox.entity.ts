import { randomUUID } from 'node:crypto';
import { Entity, Index, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/** Messages "sent" by the development SMS sender; `npm run sms:outbox` prints the latest. Never used in production. */
@Entity({ tableName: 'sms_outbox' })
@Index({ name: 'sms_outbox_created_at_index', properties: ['createdAt'] })
export class SmsOutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  phone: string;

  @Property({ type: 'text' })
  body: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  constructor(phone: string, body: string, now: Date) {
    this.phone = phone;
    this.body = body;
    this.createdAt = now;
  }
}
