import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';

/**
 * The Ed25519 key pair that signs audit checkpoints. It is kept apart from the access-token keys
 * and never published in the JWKS, so no token verifier can accept anything it signed. The
 * private JWK is stored encrypted with the field-encryption keys, the public JWK in clear.
 * PostgreSQL refuses to delete a key or change its public half (old checkpoints name it); the
 * private half may be re-encrypted under a new field-encryption key.
 */
@Entity({ tableName: 'audit_checkpoint_keys' })
export class AuditCheckpointKey {
  @PrimaryKey({ type: 'text' })
  kid!: string;

  @Property({ type: 'json' })
  publicJwk!: Record<string, unknown>;

  @Property({ type: 'text', hidden: true, lazy: true })
  privateJwkCiphertext!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A signed statement that the audit chain's head was (sequence, hash) at `signedAt`, which
 * anyone may keep outside the database. Append-only: PostgreSQL refuses UPDATE, DELETE and
 * TRUNCATE, as on `audit_log`.
 */
@Entity({ tableName: 'signed_audit_checkpoints' })
export class SignedAuditCheckpoint {
  @PrimaryKey({ type: 'bigint' })
  id!: string;

  @Property({ type: 'bigint' })
  sequence!: string;

  @Property({ type: 'text' })
  hash!: string;

  @Property({ type: 'timestamptz' })
  signedAt!: Date;

  @ManyToOne(() => AuditCheckpointKey, { fieldName: 'key_id', ref: true, deleteRule: 'restrict' })
  key!: Ref<AuditCheckpointKey>;

  /** The Ed25519 signature over checkpointSignedBytes, base64url. */
  @Property({ type: 'text' })
  signature!: string;
}
