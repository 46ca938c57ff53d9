import { Migration } from '@mikro-orm/migrations';

/**
 * Every change that could end a session or alter what an instance knows of an account is told to
 * every instance on one channel (`identity_auth_changes`), whatever made it: a use case, an
 * operator command or SQL by hand. `s:<session id>` when a session is revoked (or un-revoked),
 * cut short or deleted; `u:<user id>` when an account row changes (but for its sign-in counters) or
 * goes; `*` when either table is truncated. Rotations, which only
 * move a session forward, say nothing. PostgreSQL delivers a notification when its transaction
 * commits, and only then.
 */
export class Migration20261201200000_live_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "notify_session_change"() returns trigger language plpgsql as $$
      begin
        perform pg_notify('identity_auth_changes', 's:' || (case when tg_op = 'DELETE' then old.id else new.id end)::text);
        return null;
      end;
    $$;`);
    // Counters that only the sign-in steps read (failed attempts, lockout count, the last TOTP step
    // used) change at every attempt and tell no instance anything: they are left out, so that a
    // password spray does not flood the channel.
    this.addSql(`create function "notify_user_change"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform pg_notify('identity_auth_changes', 'u:' || old.id::text);
        elsif (to_jsonb(old) - 'failed_login_attempts' - 'lock_count' - 'totp_last_step' - 'updated_at')
              is distinct from
              (to_jsonb(new) - 'failed_login_attempts' - 'lock_count' - 'totp_last_step' - 'updated_at') then
          perform pg_notify('identity_auth_changes', 'u:' || new.id::text);
        end if;
        return null;
      end;
    $$;`);
    // TRUNCATE fires no row trigger: every instance forgets everything.
    this.addSql(`create function "notify_all_changed"() returns trigger language plpgsql as $$
      begin
        perform pg_notify('identity_auth_changes', '*');
        return null;
      end;
    $$;`);
    this.addSql(`create trigger "sessions_notify_end" after update of "revoked_at", "expires_at", "user_id" on "sessions"
      for each row when (old.revoked_at is distinct from new.revoked_at
                         or new.expires_at < old.expires_at
                         or old.user_id is distinct from new.user_id)
      execute function "notify_session_change"();`);
    this.addSql(`create trigger "sessions_notify_delete" after delete on "sessions"
      for each row execute function "notify_session_change"();`);
    this.addSql(`create trigger "users_notify_change" after update on "users"
      for each row when (old.* is distinct from new.*) execute function "notify_user_change"();`);
    this.addSql(`create trigger "users_notify_delete" after delete on "users"
      for each row execute function "notify_user_change"();`);
    this.addSql(`create trigger "sessions_notify_truncate" after truncate on "sessions"
      for each statement execute function "notify_all_changed"();`);
    this.addSql(`create trigger "users_notify_truncate" after truncate on "users"
      for each statement execute function "notify_all_changed"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "users_notify_truncate" on "users";`);
    this.addSql(`drop trigger if exists "sessions_notify_truncate" on "sessions";`);
    this.addSql(`drop trigger if exists "users_notify_delete" on "users";`);
    this.addSql(`drop trigger if exists "users_notify_change" on "users";`);
    this.addSql(`drop trigger if exists "sessions_notify_delete" on "sessions";`);
    this.addSql(`drop trigger if exists "sessions_notify_end" on "sessions";`);
    this.addSql(`drop function if exists "notify_all_changed"();`);
    this.addSql(`drop function if exists "notify_user_change"();`);
    this.addSql(`drop function if exists "notify_session_change"();`);
  }
}
