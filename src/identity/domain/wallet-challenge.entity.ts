import { createHash, randomBytes } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Blockchain } from './wallet-address.js';
import { WALLET_CHALLENGE_TTL_SECONDS } from './wallet-message.js';

/** A challenge's nonce: 128 random bits as 32 hexadecimal digits (EIP-4361 wants letters and digits). */
export const newWalletNonce = () => randomBytes(16).toString('hex');

/** Only digests are stored: a database dump holds no nonce to sign with. */
export const walletDigest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A wallet message handed out by `walletChallenge`: bound to the address and chain it was issued
 * for and to its exact text, single use, five minutes. Kept as digests of the nonce and the text.
 */
@Entity({ tableName: 'wallet_challenges' })
@Index({ name: 'wallet_challenges_expires_at_index', properties: ['expiresAt'] })
export class WalletChallenge {
  /** SHA-256 of the nonce, hex: how a message sent back finds its challenge. */
  @PrimaryKey({ type: 'text' })
  nonceHash: string;

  @Enum({ items: () => Blockchain, nativeEnumName: 'blockchain' })
  blockchain: Blockchain;

  @Property({ type: 'text' })
  address: string;

  /** SHA-256 of the whole message text: any change to any field makes it another message. */
  @Property({ type: 'text' })
  messageHash: string;

  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  constructor(props: { nonce: string; blockchain: Blockchain; address: string; message: string; now: Date }) {
    this.nonceHash = walletDigest(props.nonce);
    this.blockchain = props.blockchain;
    this.address = props.address;
    this.messageHash = walletDigest(props.message);
    this.createdAt = props.now;
    this.expiresAt = new Date(props.now.getTime() + WALLET_CHALLENGE_TTL_SECONDS * 1000);
  }
}
