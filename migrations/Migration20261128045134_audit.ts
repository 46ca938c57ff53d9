import { Migration } from '@mikro-orm/migrations';

export class Migration20261128045134_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_checkpoints" ("sequence" bigint not null, "hash" text not null, "verified_at" timestamptz not null, constraint "audit_checkpoints_pkey" primary key ("sequence"));`,
    );

    this.addSql(
      `create table "audit_log" ("sequence" bigint not null, "id" uuid not null, "type" text not null, "actor_id" uuid null, "subject_id" uuid null, "client_ip" text null, "user_agent" text null, "request_id" text null, "occurred_at" timestamptz not null, "data" text not null, "previous_hash" text not null, "hash" text not null, constraint "audit_log_pkey" primary key ("sequence"));`,
    );
    this.addSql(`alter table "audit_log" add constraint "audit_log_id_unique" unique ("id");`);
    this.addSql(`create index "audit_log_occurred_at_index" on "audit_log" ("occurred_at");`);
    this.addSql(`create index "audit_log_type_index" on "audit_log" ("type", "sequence");`);
    this.addSql(`create index "audit_log_actor_index" on "audit_log" ("actor_id", "sequence");`);
    this.addSql(`create index "audit_log_subject_index" on "audit_log" ("subject_id", "sequence");`);

    this.addSql(
      `create table "audit_head" ("id" int not null, "sequence" bigint not null, "hash" text not null, constraint "audit_head_pkey" primary key ("id"));`,
    );

    // The chain starts from an all-zero hash at sequence 0.
    this.addSql(`insert into "audit_head" ("id", "sequence", "hash") values (1, 0, repeat('0', 64));`);
    this.addSql(`alter table "audit_head" add constraint audit_head_single_row check(id = 1);`);

    // Append-only: PostgreSQL itself refuses to change or remove audit entries.
    this.addSql(`create function "audit_log_refuse_change"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this.addSql(`create trigger "audit_log_no_update_delete" before update or delete on "audit_log"
      for each row execute function "audit_log_refuse_change"();`);
    this.addSql(`create trigger "audit_log_no_truncate" before truncate on "audit_log"
      for each statement execute function "audit_log_refuse_change"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "audit_log_no_truncate" on "audit_log";`);
    this.addSql(`drop trigger if exists "audit_log_no_update_delete" on "audit_log";`);
    this.addSql(`drop function if exists "audit_log_refuse_change"();`);
    this.addSql(`drop table if exists "audit_checkpoints" cascade;`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "audit_head" cascade;`);
  }
}
