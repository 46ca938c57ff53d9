import { Migration } from '@mikro-orm/migrations';

/**
 * A lockout always has an end: an account refuses sign-ins only through `locked_until`, which
 * must be a finite time, and the failure count can never go negative.
 */
export class Migration20261201170000_lockout_ends extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "users" add constraint "users_lockout_has_an_end" check ("locked_until" is null or isfinite("locked_until"));`,
    );
    this.addSql(
      `alter table "users" add constraint "users_failed_login_attempts_not_negative" check ("failed_login_attempts" >= 0 and "lock_count" >= 0);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_lockout_has_an_end";`);
    this.addSql(`alter table "users" drop constraint "users_failed_login_attempts_not_negative";`);
  }
}
