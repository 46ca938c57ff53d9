import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, type Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/** How long a WebAuthn challenge is accepted. */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;

export enum PasskeyCeremony {
  /** Adding a passkey to a signed-in account. */
  REGISTRATION = 'registration',
  /** Signing in with a discoverable passkey, no account named. */
  SIGN_IN = 'sign_in',
  /** Answering an MFA challenge with one of that account's passkeys. */
  SECOND_FACTOR = 'second_factor',
}

/**
 * A WebAuthn challenge the service handed out: random, single use (the row is deleted by the
 * statement that accepts it), short lived, bound to its ceremony and, for registration and second
 * factors, to the account (and the MFA challenge). A sign-in challenge names no account: the
 * response finds it again by the challenge its clientDataJSON carries.
 */
@Entity({ tableName: 'passkey_challenges' })
export class PasskeyChallenge {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** The challenge, base64url, as it appears in the response's clientDataJSON. */
  @Property({ type: 'text', unique: 'passkey_challenges_challenge_unique' })
  challenge: string;

  @Enum({ items: () => PasskeyCeremony, nativeEnumName: 'passkey_ceremony' })
  ceremony: PasskeyCeremony;

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade', nullable: true })
  user?: Ref<User>;

  /** The MFA challenge a second-factor challenge answers. */
  @Property({ type: 'uuid', nullable: true })
  mfaChallengeId?: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  constructor(props: {
    challenge: string;
    ceremony: PasskeyCeremony;
    user?: Ref<User>;
    mfaChallengeId?: string;
    now: Date;
  }) {
    this.challenge = props.challenge;
    this.ceremony = props.ceremony;
    this.user = props.user;
    this.mfaChallengeId = props.mfaChallengeId;
    this.expiresAt = new Date(props.now.getTime() + PASSKEY_CHALLENGE_TTL_SECONDS * 1000);
  }
}
