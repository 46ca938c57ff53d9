import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/** A single-use recovery code, stored as an HMAC of the code. */
@Entity({ tableName: 'recovery_codes' })
@Index({ name: 'recovery_codes_user_index', properties: ['user'] })
export class RecoveryCode {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ type: 'text', hidden: true })
  codeHash: string;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  constructor(user: Ref<User>, codeHash: string) {
    this.user = user;
    this.codeHash = codeHash;
  }
}

export enum OneTimeCodePurpose {
  PHONE_VERIFICATION = 'phone_verification',
  LOGIN = 'login',
}

/** A six-digit code sent by SMS: stored hashed, expires, single use, bound to its purpose (and challenge). */
@Entity({ tableName: 'one_time_codes' })
@Index({ name: 'one_time_codes_user_index', properties: ['user', 'purpose'] })
export class OneTimeCode {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ type: 'text' })
  purpose: OneTimeCodePurpose;

  /** The MFA challenge a login code belongs to. */
  @Property({ type: 'uuid', nullable: true })
  challengeId?: string;

  @Property({ type: 'text', hidden: true })
  codeHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  constructor(props: {
    user: Ref<User>;
    purpose: OneTimeCodePurpose;
    challengeId?: string;
    codeHash: string;
    expiresAt: Date;
    now: Date;
  }) {
    this.user = props.user;
    this.purpose = props.purpose;
    this.challengeId = props.challengeId;
    this.codeHash = props.codeHash;
    this.expiresAt = props.expiresAt;
    this.createdAt = props.now;
  }
}

/**
 * The server side of an MFA challenge: which user and device it is for, how
 * many wrong codes it has taken (at most 5), and whether it was used.
 */
@Entity({ tableName: 'mfa_challenges' })
export class MfaChallengeRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ length: 128 })
  deviceId: string;

  @Property({ length: 128, nullable: true })
  deviceName?: string;

  @Property({ type: 'integer', default: 0 })
  failedAttempts: number & Opt = 0;

  @Property({ type: 'boolean', default: false })
  viaTrustedDevice: boolean & Opt = false;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  constructor(props: {
    id: string;
    user: Ref<User>;
    deviceId: string;
    deviceName?: string;
    viaTrustedDevice: boolean;
    expiresAt: Date;
  }) {
    this.id = props.id;
    this.user = props.user;
    this.deviceId = props.deviceId;
    this.deviceName = props.deviceName;
    this.viaTrustedDevice = props.viaTrustedDevice;
    this.expiresAt = props.expiresAt;
  }
}
