import { Migration } from '@mikro-orm/migrations';

export class Migration20261128043546_lockout_trust extends Migration {
  override async up(): Promise<void> {
    // rate-limiter-flexible's PostgreSQL store, shared by every instance (keys are SHA-256 digests).
    this.addSql(
      `create table "rate_limits" ("key" varchar(255) primary key, "points" integer not null default 0, "expire" bigint);`,
    );
    this.addSql(`create index "rate_limits_expire_index" on "rate_limits" ("expire");`);
    this.addSql(
      `create table "device_trusts" ("id" uuid not null, "user_id" uuid not null, "device_id" varchar(128) not null, "token_id" uuid not null, "failed_attempts" int not null default 0, "expires_at" timestamptz not null, "updated_at" timestamptz not null, constraint "device_trusts_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "device_trusts" add constraint "device_trusts_user_device_unique" unique ("user_id", "device_id");`,
    );

    this.addSql(
      `alter table "device_trusts" add constraint "device_trusts_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "users" add column "locked_until" timestamptz null, add column "lock_count" int not null default 0;`,
    );
    this.addSql(
      `alter table "users" add constraint "users_wallet_unique" unique ("wallet_blockchain", "wallet_address");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limits";`);
    this.addSql(`drop table if exists "device_trusts" cascade;`);

    this.addSql(`alter table "users" drop constraint "users_wallet_unique";`);
    this.addSql(`alter table "users" drop column "locked_until", drop column "lock_count";`);
  }
}
