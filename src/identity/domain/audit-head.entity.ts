import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The end of the linked chain, one row, moved only by the chainer (under its advisory lock), which
 * also names itself here with the end of its lease.
 */
@Entity({ tableName: 'audit_head' })
@Check({ name: 'audit_head_single_row', expression: 'id = 1' })
export class AuditHead {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: 'bigint' })
  sequence!: string;

  @Property({ type: 'text' })
  hash!: string;

  /** The instance elected to link staged entries, while its lease runs. */
  @Property({ type: 'text', nullable: true })
  chainer?: string;

  @Property({ type: 'timestamptz', nullable: true })
  chainerUntil?: Date;
}

/** Checkpoints of verified prefixes, for the incremental verification mode. */
@Entity({ tableName: 'audit_checkpoints' })
export class AuditCheckpoint {
  @PrimaryKey({ type: 'bigint', autoincrement: false })
  sequence!: string;

  @Property({ type: 'text' })
  hash!: string;

  @Property({ type: 'timestamptz' })
  verifiedAt!: Date;
}
