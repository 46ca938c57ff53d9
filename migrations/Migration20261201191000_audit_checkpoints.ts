import { Migration } from '@mikro-orm/migrations';

/**
 * Signed audit checkpoints: the Ed25519 key that signs them (apart from the access-token keys, so
 * it is never in the JWKS) and the checkpoints themselves, append-only like `audit_log`.
 */
export class Migration20261201191000_audit_checkpoints extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_checkpoint_keys" ("kid" text not null, "public_jwk" jsonb not null, "private_jwk_ciphertext" text not null, "created_at" timestamptz not null, constraint "audit_checkpoint_keys_pkey" primary key ("kid"));`,
    );
    this.addSql(
      `create table "signed_audit_checkpoints" ("id" bigserial primary key, "sequence" bigint not null, "hash" text not null, "signed_at" timestamptz not null, "key_id" text not null, "signature" text not null);`,
    );
    this.addSql(
      `alter table "signed_audit_checkpoints" add constraint "signed_audit_checkpoints_key_id_foreign" foreign key ("key_id") references "audit_checkpoint_keys" ("kid") on update cascade on delete restrict;`,
    );

    // Append-only: PostgreSQL itself refuses to change or remove a signed checkpoint.
    this.addSql(`create function "signed_audit_checkpoints_refuse_change"() returns trigger language plpgsql as $$
      begin
        raise exception 'signed_audit_checkpoints is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this.addSql(`create trigger "signed_audit_checkpoints_no_update_delete" before update or delete on "signed_audit_checkpoints"
      for each row execute function "signed_audit_checkpoints_refuse_change"();`);
    this.addSql(`create trigger "signed_audit_checkpoints_no_truncate" before truncate on "signed_audit_checkpoints"
      for each statement execute function "signed_audit_checkpoints_refuse_change"();`);

    // A key stays as long as the checkpoints that name it: never deleted, its public half never
    // changed. Its private half may be re-encrypted under a new field-encryption key.
    this.addSql(`create function "audit_checkpoint_keys_refuse_change"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and new.kid = old.kid and new.public_jwk = old.public_jwk
           and new.created_at = old.created_at then
          return new;
        end if;
        raise exception 'audit_checkpoint_keys keep their public keys: % refused', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this.addSql(`create trigger "audit_checkpoint_keys_keep" before update or delete on "audit_checkpoint_keys"
      for each row execute function "audit_checkpoint_keys_refuse_change"();`);
    this.addSql(`create trigger "audit_checkpoint_keys_no_truncate" before truncate on "audit_checkpoint_keys"
      for each statement execute function "audit_checkpoint_keys_refuse_change"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "signed_audit_checkpoints" cascade;`);
    this.addSql(`drop table if exists "audit_checkpoint_keys" cascade;`);
    this.addSql(`drop function if exists "signed_audit_checkpoints_refuse_change"();`);
    this.addSql(`drop function if exists "audit_checkpoint_keys_refuse_change"();`);
  }
}
