import { Migration } from '@mikro-orm/migrations';

/**
 * `mail_outbox`: mail "sent" by the development mail sender (SMTP_URL unset), printed by
 * `npm run mail:outbox` and deleted by the hourly purge after 7 days. The job queue's own tables
 * live in the `pgboss` schema, which pg-boss installs and migrates itself.
 */
export class Migration20261201180000_mail_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "mail_outbox" ("id" uuid not null, "to_address" text not null, "subject" text not null, "text" text not null, "html" text not null, "created_at" timestamptz not null, constraint "mail_outbox_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "mail_outbox_created_at_index" on "mail_outbox" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mail_outbox" cascade;`);
  }
}
