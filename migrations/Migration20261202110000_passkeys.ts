import { Migration } from '@mikro-orm/migrations';

/**
 * Passkeys (WebAuthn credentials) and the challenges handed out for them. A credential id is
 * unique across accounts; a challenge row lives until it is accepted (deleted by that statement)
 * or purged after its expiry. MfaChallenge.methods may now name PASSKEY.
 */
export class Migration20261202110000_passkeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "mfa_method" add value if not exists 'PASSKEY';`);
    this.addSql(`create type "passkey_ceremony" as enum ('registration', 'sign_in', 'second_factor');`);

    this.addSql(
      `create table "passkeys" ("id" uuid not null, "user_id" uuid not null, "credential_id" text not null, "public_key" bytea not null, "counter" bigint not null default 0, "transports" text[] not null default '{}', "aaguid" text not null, "multi_device" boolean not null, "backed_up" boolean not null, "name" varchar(256) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, constraint "passkeys_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "passkeys_user_index" on "passkeys" ("user_id");`);
    this.addSql(
      `alter table "passkeys" add constraint "passkeys_credential_id_unique" unique ("credential_id");`,
    );
    this.addSql(
      `alter table "passkeys" add constraint "passkeys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "passkey_challenges" ("id" uuid not null, "challenge" text not null, "ceremony" "passkey_ceremony" not null, "user_id" uuid null, "mfa_challenge_id" uuid null, "expires_at" timestamptz not null, constraint "passkey_challenges_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "passkey_challenges" add constraint "passkey_challenges_challenge_unique" unique ("challenge");`,
    );
    this.addSql(
      `alter table "passkey_challenges" add constraint "passkey_challenges_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "passkey_challenges" cascade;`);
    this.addSql(`drop table if exists "passkeys" cascade;`);
    this.addSql(`drop type if exists "passkey_ceremony";`);
    // PostgreSQL cannot drop one value of an enum type: 'PASSKEY' stays in "mfa_method", unused.
  }
}
