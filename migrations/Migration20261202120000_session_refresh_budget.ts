import { Migration } from '@mikro-orm/migrations';

/**
 * The refresh budget moves onto the session row: the window's start and the refreshes counted in
 * it, written by the same statement that rotates the token, instead of a counter row of its own
 * in the rate-limit store.
 */
export class Migration20261202120000_session_refresh_budget extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "sessions" add column "refresh_window_started_at" timestamptz null, add column "refresh_count" integer not null default 0;`,
    );
    // NOT VALID, then VALIDATE: the scan of existing rows does not hold the lock that blocks writes.
    this.addSql(
      `alter table "sessions" add constraint "sessions_refresh_count_check" check ("refresh_count" >= 0) not valid;`,
    );
    this.addSql(`alter table "sessions" validate constraint "sessions_refresh_count_check";`);
    // Counters of the old per-session refresh budget in the postgres rate-limit store.
    this.addSql(`delete from "rate_limits" where "key" like 'refresh:%';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop constraint if exists "sessions_refresh_count_check";`);
    this.addSql(
      `alter table "sessions" drop column if exists "refresh_window_started_at", drop column if exists "refresh_count";`,
    );
  }
}
