import { Migration } from '@mikro-orm/migrations';

/**
 * Audit entries are staged, then linked. A use case inserts its entries into `audit_pending` in
 * its own transaction, taking no shared lock; one chainer at a time (elected through PostgreSQL)
 * moves committed entries from there into `audit_log`, assigning sequences and hashes in order.
 * The head row remembers which chainer holds the lease and until when.
 */
export class Migration20261201190000_audit_staging extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_pending" (
         "position" bigint generated always as identity,
         "id" uuid not null,
         "type" text not null,
         "actor_id" uuid null,
         "subject_id" uuid null,
         "client_ip" text null,
         "user_agent" text null,
         "request_id" text null,
         "occurred_at" timestamptz not null,
         "data" text not null,
         "queued_at" timestamptz not null default clock_timestamp(),
         constraint "audit_pending_pkey" primary key ("position"));`,
    );
    // Staged entries are never edited, and deleted only by the chainer, in the transaction that links
    // them (it says so with a transaction-local setting).
    this.addSql(`create function "audit_pending_refuse_change"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('identity.audit_linking', true) = 'on' then
          return old;
        end if;
        raise exception 'audit_pending entries cannot be changed: % refused', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this.addSql(`create trigger "audit_pending_no_delete" before delete on "audit_pending"
      for each row execute function "audit_pending_refuse_change"();`);
    this.addSql(`create trigger "audit_pending_no_update" before update on "audit_pending"
      for each row execute function "audit_pending_refuse_change"();`);
    this.addSql(`create trigger "audit_pending_no_truncate" before truncate on "audit_pending"
      for each statement execute function "audit_pending_refuse_change"();`);

    this.addSql(
      `alter table "audit_head" add column "chainer" text null, add column "chainer_until" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_head" drop column "chainer", drop column "chainer_until";`);
    this.addSql(`drop table if exists "audit_pending" cascade;`);
    this.addSql(`drop function if exists "audit_pending_refuse_change"();`);
  }
}
