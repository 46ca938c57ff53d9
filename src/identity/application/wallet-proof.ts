import type { EntityManager } from '@mikro-orm/postgresql';
import {
  parseWalletSignature,
  verifyWalletSignature,
  type WalletSignature,
} from '../../adapters/crypto/wallet-signatures.js';
import type { Clock } from '../../kernel/clock.js';
import { badInput, type DomainError } from '../../kernel/errors.js';
import { type Blockchain, parseWalletAddress } from '../domain/wallet-address.js';
import { newWalletNonce, WalletChallenge } from '../domain/wallet-challenge.entity.js';
import {
  buildWalletMessage,
  parseWalletMessage,
  WALLET_CHAIN_IDS,
  WALLET_CHALLENGE_TTL_SECONDS,
  WALLET_STATEMENT,
  type WalletMessage,
} from '../domain/wallet-message.js';
import { redeemWalletChallenge } from '../persistence/wallet-challenge-store.js';

/** A message and signature sent back, well-formed (not yet checked against what was issued). */
export interface SignedWalletMessage {
  text: string;
  fields: WalletMessage;
  signature: WalletSignature;
}

/** Why a well-formed message was refused before its signature was looked at (audited). */
export type WalletMessageRefusal =
  | 'foreign_domain'
  | 'foreign_uri'
  | 'foreign_chain'
  | 'message_expired'
  | 'message_altered'
  | 'challenge_spent';

const refusals: Record<WalletMessageRefusal, string> = {
  foreign_domain: 'The wallet message was issued for another site',
  foreign_uri: 'The wallet message was issued for another site',
  foreign_chain: 'The wallet message names another network',
  message_expired: 'The wallet message has expired: ask for a new challenge',
  message_altered: 'The wallet message differs from the one issued: sign it exactly as issued',
  challenge_spent: 'The wallet message was already used, or was never issued: ask for a new challenge',
};

/**
 * The proof of control of a wallet that `linkWallet` and `loginWithWallet` share: handing out a
 * challenge (domain and URI from PUBLIC_WEB_URL, a single-use nonce, five minutes), reading a
 * signed message strictly, refusing one that is foreign, expired, altered or already spent (each
 * BAD_USER_INPUT on `message`), and checking the signature.
 */
export function createWalletProof(deps: { clock: Clock; publicWebUrl: string }) {
  const domain = new URL(deps.publicWebUrl).host;
  const uri = deps.publicWebUrl;

  return {
    /** A new challenge for this address (an Ethereum one in its EIP-55 form), stored as digests. */
    async issue(
      em: EntityManager,
      input: { blockchain: Blockchain; address: string },
    ): Promise<{ message: string; expiresAt: Date }> {
      const address = parseWalletAddress(input.address, input.blockchain, 'address');
      const now = deps.clock.now();
      const nonce = newWalletNonce();
      const message = buildWalletMessage({
        blockchain: input.blockchain,
        domain,
        address,
        statement: WALLET_STATEMENT,
        uri,
        chainId: WALLET_CHAIN_IDS[input.blockchain],
        nonce,
        issuedAt: now,
        expirationTime: new Date(now.getTime() + WALLET_CHALLENGE_TTL_SECONDS * 1000),
      });
      const challenge = new WalletChallenge({ blockchain: input.blockchain, address, nonce, message, now });
      em.persist(challenge);
      await em.flush();
      return { message, expiresAt: challenge.expiresAt };
    },

    /** Reads what the client sent: BAD_USER_INPUT on `message` or `signature` when malformed. */
    read(input: { message: string; signature: string }): SignedWalletMessage {
      const fields = parseWalletMessage(input.message);
      return {
        text: input.message,
        fields,
        signature: parseWalletSignature(fields.blockchain, input.signature.trim()),
      };
    },

    /**
     * Spends the challenge the message was issued under, unless the message is for another site
     * or network, expired, altered, or its challenge already spent: then the refusal, with the
     * error to answer (BAD_USER_INPUT on `message`). Spent whatever the signature turns out to be.
     */
    async redeem(
      em: EntityManager,
      sent: SignedWalletMessage,
    ): Promise<{ refused: WalletMessageRefusal; error: DomainError } | undefined> {
      const refuse = (refused: WalletMessageRefusal) => ({
        refused,
        error: badInput('message', refusals[refused]),
      });
      const { fields } = sent;
      if (fields.domain !== domain) return refuse('foreign_domain');
      if (fields.uri !== uri) return refuse('foreign_uri');
      if (fields.chainId !== WALLET_CHAIN_IDS[fields.blockchain]) return refuse('foreign_chain');
      const now = deps.clock.now();
      if (fields.expirationTime.getTime() <= now.getTime()) return refuse('message_expired');
      const redeemed = await redeemWalletChallenge(em, { nonce: fields.nonce, message: sent.text, now });
      if ('refused' in redeemed)
        return refuse(redeemed.refused === 'altered' ? 'message_altered' : 'challenge_spent');
      // The text is the one issued, so these agree; checked anyway, the binding being the point.
      if (redeemed.address !== fields.address || redeemed.blockchain !== fields.blockchain)
        return refuse('message_altered');
      return undefined;
    },

    /** Whether the message was signed by the key of the address it names. */
    verify: (sent: SignedWalletMessage): Promise<boolean> =>
      verifyWalletSignature(sent.fields.address, sent.text, sent.signature),
  };
}

export type WalletProof = ReturnType<typeof createWalletProof>;
