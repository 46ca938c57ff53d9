import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/**
 * A device that has signed in successfully before. Its signed trust token lets
 * the owner sign in past a lockout caused by failures elsewhere; the device has
 * its own, stricter failure budget, after which the trust is withdrawn.
 */
@Entity({ tableName: 'device_trusts' })
@Unique({ name: 'device_trusts_user_device_unique', properties: ['user', 'deviceId'] })
export class DeviceTrust {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ length: 128 })
  deviceId: string;

  /** jti of the only trust token currently valid for this device: older ones are rotated away. */
  @Property({ type: 'uuid' })
  tokenId: string;

  @Property({ type: 'integer', default: 0 })
  failedAttempts: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;

  constructor(props: { user: Ref<User>; deviceId: string; tokenId: string; expiresAt: Date; now: Date }) {
    this.user = props.user;
    this.deviceId = props.deviceId;
    this.tokenId = props.tokenId;
    this.expiresAt = props.expiresAt;
    this.updatedAt = props.now;
  }
}
