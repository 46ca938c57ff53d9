import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One link of the tamper-evident audit chain: hash = SHA-256(previousHash ‖
 * canonical(entry)). PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the table.
 * Users are referenced by id only, so erasing a user never touches the chain.
 */
@Entity({ tableName: 'audit_log' })
@Index({ name: 'audit_log_subject_index', properties: ['subjectId', 'sequence'] })
@Index({ name: 'audit_log_actor_index', properties: ['actorId', 'sequence'] })
@Index({ name: 'audit_log_type_index', properties: ['type', 'sequence'] })
@Index({ name: 'audit_log_occurred_at_index', properties: ['occurredAt'] })
export class AuditEntry {
  @PrimaryKey({ type: 'bigint', autoincrement: false })
  sequence!: string;

  @Property({ type: 'uuid', unique: 'audit_log_id_unique' })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'uuid', nullable: true })
  actorId?: string;

  @Property({ type: 'uuid', nullable: true })
  subjectId?: string;

  @Property({ type: 'text', nullable: true })
  clientIp?: string;

  @Property({ type: 'text', nullable: true })
  userAgent?: string;

  @Property({ type: 'text', nullable: true })
  requestId?: string;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  /** Canonical JSON (sorted keys), stored as text so that the hashed bytes are the stored bytes. */
  @Property({ type: 'text' })
  data!: string;

  @Property({ type: 'text' })
  previousHash!: string;

  @Property({ type: 'text' })
  hash!: string;
}
