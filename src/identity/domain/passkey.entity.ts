import { randomUUID } from 'node:crypto';
import {
  ArrayType,
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  type Opt,
  PrimaryKey,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { EventLog } from '../../kernel/domain-event.js';
import { badInput } from '../../kernel/errors.js';
import type { User } from './user.entity.js';

/** Longest passkey name, in characters. */
export const PASSKEY_NAME_MAX_LENGTH = 64;
/** Most passkeys one account may hold. */
export const MAX_PASSKEYS_PER_USER = 20;
/** The name a passkey gets when its owner gives none. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/** A passkey's name: trimmed, 1 to 64 characters; BAD_USER_INPUT on `name` otherwise. */
export function parsePasskeyName(value: string | null | undefined): string {
  if (value === null || value === undefined) return DEFAULT_PASSKEY_NAME;
  const name = value.trim();
  if (name.length === 0 || [...name].length > PASSKEY_NAME_MAX_LENGTH)
    throw badInput('name', `A passkey name is 1 to ${PASSKEY_NAME_MAX_LENGTH} characters`);
  return name;
}

/**
 * A WebAuthn credential of an account (a discoverable one: it signs in without a username). The
 * private key stays in the authenticator; this holds its public key (COSE), the signature counter
 * it reported last, and what the owner sees of it (a name, when it was added and last used).
 */
@Entity({ tableName: 'passkeys' })
@Index({ name: 'passkeys_user_index', properties: ['user'] })
export class Passkey {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /** The credential id, base64url, as the authenticator and the browser name it. */
  @Property({ type: 'text', unique: 'passkeys_credential_id_unique' })
  credentialId: string;

  /** The credential's public key, COSE-encoded. */
  @Property({ type: 'blob', hidden: true })
  publicKey: Buffer;

  /** The signature counter last reported; 0 for authenticators that keep none. */
  @Property({ type: new BigIntType('number'), default: 0 })
  counter: number;

  /** How the browser may reach the authenticator (`internal`, `hybrid`, `usb`, …), as it told at registration. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  transports: string[];

  /** The authenticator model's AAGUID (all zeros when it gives none). */
  @Property({ type: 'text' })
  aaguid: string;

  /** A passkey that may be synced between devices (a multi-device credential). */
  @Property({ type: 'boolean' })
  multiDevice: boolean;

  /** Whether it is backed up (synced) as of its last use. */
  @Property({ type: 'boolean' })
  backedUp: boolean;

  @Property({ length: PASSKEY_NAME_MAX_LENGTH * 4 })
  name: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date;

  private eventLog?: EventLog;

  constructor(props: {
    user: Ref<User>;
    credentialId: string;
    publicKey: Uint8Array;
    counter: number;
    transports: string[];
    aaguid: string;
    multiDevice: boolean;
    backedUp: boolean;
    name: string;
    now: Date;
  }) {
    this.user = props.user;
    this.credentialId = props.credentialId;
    this.publicKey = Buffer.from(props.publicKey);
    this.counter = props.counter;
    this.transports = props.transports;
    this.aaguid = props.aaguid;
    this.multiDevice = props.multiDevice;
    this.backedUp = props.backedUp;
    this.name = props.name;
    this.createdAt = props.now;
    this.record('passkey.registered', { aaguid: props.aaguid, multiDevice: props.multiDevice });
  }

  /** Events recorded by this aggregate, written to the audit trail by the unit of work. */
  get events(): EventLog {
    this.eventLog ??= new EventLog();
    return this.eventLog;
  }

  private record(type: string, data: Record<string, unknown> = {}): void {
    this.events.record({ type, subjectId: this.user.id, data: { passkeyId: this.id, ...data } });
  }

  rename(name: string): void {
    this.name = name;
    this.record('passkey.renamed');
  }

  /**
   * Whether `counter` may follow the stored one. Authenticators that keep no counter report 0
   * every time, which is allowed while the stored one is 0 too; otherwise it must grow, or the
   * credential may have been cloned.
   */
  acceptsCounter(counter: number): boolean {
    if (this.counter === 0 && counter === 0) return true;
    return counter > this.counter;
  }
}
