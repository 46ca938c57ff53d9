import { Migration } from '@mikro-orm/migrations';

/**
 * Wallet sign-in: the challenges handed out (digests of the nonce and of the message text, the
 * address and chain, five minutes, single use), and when the account's wallet was last proved by
 * a signature (a wallet set without proof does not sign anyone in).
 */
export class Migration20261202100000_wallet_challenges extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "wallet_challenges" ("nonce_hash" text not null, "blockchain" "blockchain" not null, "address" text not null, "message_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "wallet_challenges_pkey" primary key ("nonce_hash"));`,
    );
    this.addSql(`create index "wallet_challenges_expires_at_index" on "wallet_challenges" ("expires_at");`);
    this.addSql(`alter table "users" add column "wallet_verified_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column "wallet_verified_at";`);
    this.addSql(`drop table if exists "wallet_challenges" cascade;`);
  }
}
