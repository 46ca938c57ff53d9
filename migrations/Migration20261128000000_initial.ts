import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "user_role" as enum ('USER', 'ADMIN');`);
    this.addSql(`create type "user_status" as enum ('ACTIVE', 'LOCKED', 'SUSPENDED', 'DELETED');`);
    this.addSql(`create type "blockchain" as enum ('ETHEREUM', 'SOLANA');`);
    this.addSql(`create type "mfa_method" as enum ('TOTP', 'SMS');`);
    this.addSql(
      `create table "signing_keys" ("kid" text not null, "alg" text not null, "public_jwk" jsonb not null, "private_jwk_ciphertext" text not null, "created_at" timestamptz not null, "retired_at" timestamptz null, constraint "signing_keys_pkey" primary key ("kid"));`,
    );

    this.addSql(
      `create table "users" ("id" uuid not null, "username" varchar(64) not null, "email" varchar(254) not null, "phone" text null, "password_hash" text not null, "role" "user_role" not null, "status" "user_status" not null, "wallet_address" text null, "wallet_blockchain" "blockchain" null, "mfa_enabled" boolean not null, "mfa_method" "mfa_method" null, "mfa_secret" text null, "failed_login_attempts" int not null, "last_login_at" timestamptz null, "password_changed_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_status_index" on "users" ("status");`);
    this.addSql(`create unique index "users_username_lower_unique" on "users" (lower("username"));`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "device_id" varchar(128) not null, "device_name" varchar(128) null, "refresh_token_hash" text not null, "generation" int not null, "rotated_at" timestamptz null, "grace_token_ciphertext" text null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "expires_at" timestamptz not null, "absolute_expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text null, constraint "sessions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_refresh_token_hash_unique" unique ("refresh_token_hash");`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(
      `create unique index "sessions_live_device_unique" on "sessions" ("user_id", "device_id") where "revoked_at" is null;`,
    );

    this.addSql(
      `create table "retired_refresh_tokens" ("token_hash" text not null, "session_id" uuid not null, "generation" int not null, "retired_at" timestamptz not null, constraint "retired_refresh_tokens_pkey" primary key ("token_hash"));`,
    );
    this.addSql(
      `create index "retired_refresh_tokens_session_id_index" on "retired_refresh_tokens" ("session_id");`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "retired_refresh_tokens" add constraint "retired_refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(
      `alter table "retired_refresh_tokens" drop constraint "retired_refresh_tokens_session_id_foreign";`,
    );

    this.addSql(`drop table if exists "signing_keys" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "retired_refresh_tokens" cascade;`);

    this.addSql(`drop type "user_role";`);
    this.addSql(`drop type "user_status";`);
    this.addSql(`drop type "blockchain";`);
    this.addSql(`drop type "mfa_method";`);
  }
}
