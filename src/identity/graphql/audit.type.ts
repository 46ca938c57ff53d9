import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserType } from './user.type.js';

@ObjectType('AuditEntry', { description: 'One security fact in the tamper-evident audit chain.' })
export class AuditEntryType {
  @Field(() => ID, { description: 'Stable identifier of the entry.' })
  id!: string;

  @Field(() => Int, { description: 'Position in the chain, from 1, without gaps.' })
  sequence!: number;

  @Field({ description: 'What happened, e.g. "login.failed", "user.locked", "session.revoked".' })
  type!: string;

  @Field(() => UserType, {
    nullable: true,
    description: 'Who did it (absent for anonymous requests and operators).',
  })
  actor?: UserType | null;

  @Field(() => UserType, { nullable: true, description: 'Whom it is about.' })
  subject?: UserType | null;

  @Field({ description: 'When it happened (UTC).' })
  occurredAt!: Date;

  @Field({ description: 'Details as a JSON object with sorted keys; never secrets or personal data.' })
  data!: string;

  @Field({ description: 'SHA-256 (hex) over the previous hash and this entry.' })
  hash!: string;

  actorId?: string;
  subjectId?: string;
}

@ObjectType('AuditEntryPage', { description: 'One page of audit entries.' })
export class AuditEntryPage {
  @Field(() => [AuditEntryType], { description: 'The entries on this page, newest first.' })
  items!: AuditEntryType[];

  @Field(() => Int, { description: 'This page number, from 1.' })
  page!: number;

  @Field(() => Int, { description: 'Entries per page (1–100).' })
  pageSize!: number;

  @Field(() => Int, { description: 'Entries matching the filter, on all pages.' })
  totalItems!: number;

  @Field(() => Int, { description: 'Number of pages.' })
  totalPages!: number;
}

@InputType('AuditFilter', { description: 'Narrows the audit log; all given conditions apply.' })
export class AuditFilterInput {
  @Field(() => ID, { nullable: true, description: 'Entries whose actor or subject is this user.' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Entries of this type, e.g. "login.failed".' })
  type?: string | null;

  @Field(() => Date, { nullable: true, description: 'Entries at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Entries before this time.' })
  to?: Date | null;
}

@ObjectType('AuditVerification', { description: 'The result of recomputing the audit chain.' })
export class AuditVerificationType {
  @Field({ description: 'True when every entry and the chain head verify.' })
  valid!: boolean;

  @Field(() => Int, { description: 'How many entries were recomputed.' })
  entriesChecked!: number;

  @Field(() => Int, { nullable: true, description: 'The first sequence that does not verify, when invalid.' })
  firstBrokenSequence?: number | null;

  @Field(() => Int, {
    description:
      'Entries written but not yet linked into the chain (they are linked in the background, normally within a second).',
  })
  entriesPending!: number;
}
