import { Migration } from '@mikro-orm/migrations';

/**
 * What a session shows of the client that signed in: `user_agent` (a short summary such as
 * "Chrome 131 on macOS") and `ip_address` (the client address the service saw), both null for
 * sessions opened before. `last_used_at` is always set from now on: rows without one take their
 * `created_at`, then the column becomes NOT NULL.
 */
export class Migration20261201173000_session_client extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "sessions" add column "user_agent" text null, add column "ip_address" text null;`,
    );
    this.addSql(`update "sessions" set "last_used_at" = "created_at" where "last_used_at" is null;`);
    this.addSql(`alter table "sessions" alter column "last_used_at" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" alter column "last_used_at" drop not null;`);
    this.addSql(`alter table "sessions" drop column "user_agent", drop column "ip_address";`);
  }
}
