import { Entity, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An access-token signing key pair. The private JWK is stored encrypted with
 * the field-encryption keys; the public JWK is published in JWKS while the key
 * is active and until the last token it signed has expired.
 */
@Entity({ tableName: 'signing_keys' })
export class SigningKey {
  @PrimaryKey({ type: 'text' })
  kid: string;

  @Property({ type: 'text' })
  alg: string;

  @Property({ type: 'json' })
  publicJwk: Record<string, unknown>;

  @Property({ type: 'text', hidden: true })
  privateJwkCiphertext: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  /** Set when a newer key takes over signing. */
  @Property({ type: 'timestamptz', nullable: true })
  retiredAt?: Date & Opt;

  constructor(props: {
    kid: string;
    alg: string;
    publicJwk: Record<string, unknown>;
    privateJwkCiphertext: string;
    now: Date;
  }) {
    this.kid = props.kid;
    this.alg = props.alg;
    this.publicJwk = props.publicJwk;
    this.privateJwkCiphertext = props.privateJwkCiphertext;
    this.createdAt = props.now;
  }
}
