import { Migration } from '@mikro-orm/migrations';

export class Migration20261128050835_mfa extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "sms_outbox" ("id" uuid not null, "phone" text not null, "body" text not null, "created_at" timestamptz not null, constraint "sms_outbox_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "sms_outbox_created_at_index" on "sms_outbox" ("created_at");`);

    this.addSql(
      `create table "recovery_codes" ("id" uuid not null, "user_id" uuid not null, "code_hash" text not null, "used_at" timestamptz null, constraint "recovery_codes_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "recovery_codes_user_index" on "recovery_codes" ("user_id");`);

    this.addSql(
      `create table "one_time_codes" ("id" uuid not null, "user_id" uuid not null, "purpose" text not null, "challenge_id" uuid null, "code_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "one_time_codes_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "one_time_codes_user_index" on "one_time_codes" ("user_id", "purpose");`);

    this.addSql(
      `create table "mfa_challenges" ("id" uuid not null, "user_id" uuid not null, "device_id" varchar(128) not null, "device_name" varchar(128) null, "failed_attempts" int not null default 0, "via_trusted_device" boolean not null default false, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "mfa_challenges_pkey" primary key ("id"));`,
    );

    this.addSql(
      `alter table "recovery_codes" add constraint "recovery_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "one_time_codes" add constraint "one_time_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "mfa_challenges" add constraint "mfa_challenges_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "users" add column "totp_pending_secret" text null, add column "totp_enabled" boolean not null default false, add column "totp_last_step" bigint null, add column "sms_mfa_enabled" boolean not null default false, add column "phone_verified_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sms_outbox" cascade;`);

    this.addSql(`drop table if exists "recovery_codes" cascade;`);

    this.addSql(`drop table if exists "one_time_codes" cascade;`);

    this.addSql(`drop table if exists "mfa_challenges" cascade;`);

    this.addSql(
      `alter table "users" drop column "totp_pending_secret", drop column "totp_enabled", drop column "totp_last_step", drop column "sms_mfa_enabled", drop column "phone_verified_at";`,
    );
  }
}
