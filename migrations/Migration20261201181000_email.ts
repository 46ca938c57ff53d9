import { Migration } from '@mikro-orm/migrations';

/** Email verification, address changes and password resets: the account's flags and the links' tokens. */
export class Migration20261201181000_email extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "users" add column "email_verified" boolean not null default false, add column "pending_email" varchar(254) null;`,
    );
    this.addSql(`alter table "users" add constraint "users_pending_email_unique" unique ("pending_email");`);
    this.addSql(
      `create table "email_tokens" ("id" uuid not null, "user_id" uuid not null, "purpose" text not null, "token_hash" text not null, "email" varchar(254) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "email_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(`create index "email_tokens_user_index" on "email_tokens" ("user_id", "purpose");`);
    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_tokens" cascade;`);
    this.addSql(`alter table "users" drop constraint "users_pending_email_unique";`);
    this.addSql(`alter table "users" drop column "email_verified", drop column "pending_email";`);
  }
}
