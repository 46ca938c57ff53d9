import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The end of the chain, one row. Appenders lock it (SELECT … FOR UPDATE) for
 * the last moments of their transaction only, so the chain never forks.
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
