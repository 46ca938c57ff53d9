import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/** What a link sent by email proves. */
export enum EmailTokenPurpose {
  VERIFY_EMAIL = 'verify_email',
  CHANGE_EMAIL = 'change_email',
  RESET_PASSWORD = 'reset_password',
}

/** How long each kind of link works. */
export const EMAIL_TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = {
  [EmailTokenPurpose.VERIFY_EMAIL]: 24 * 3600,
  [EmailTokenPurpose.CHANGE_EMAIL]: 24 * 3600,
  [EmailTokenPurpose.RESET_PASSWORD]: 30 * 60,
};

/** A link's token: 256 random bits, base64url. */
export const newEmailToken = () => randomBytes(32).toString('base64url');

/** Only this digest is stored: a database dump holds no usable link. */
export const hashEmailToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The token of a link sent by email: bound to the account, the purpose and the address it was sent
 * to, stored as a SHA-256 digest, single use, short lived.
 */
@Entity({ tableName: 'email_tokens' })
@Index({ name: 'email_tokens_user_index', properties: ['user', 'purpose'] })
export class EmailToken {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ type: 'text' })
  purpose: EmailTokenPurpose;

  @Property({ type: 'text', hidden: true, unique: 'email_tokens_token_hash_unique' })
  tokenHash: string;

  /** The address the link went to. */
  @Property({ length: 254 })
  email: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  constructor(props: {
    user: Ref<User>;
    purpose: EmailTokenPurpose;
    tokenHash: string;
    email: string;
    now: Date;
  }) {
    this.user = props.user;
    this.purpose = props.purpose;
    this.tokenHash = props.tokenHash;
    this.email = props.email;
    this.createdAt = props.now;
    this.expiresAt = new Date(props.now.getTime() + EMAIL_TOKEN_TTL_SECONDS[props.purpose] * 1000);
  }
}
