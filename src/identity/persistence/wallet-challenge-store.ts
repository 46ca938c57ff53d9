import type { EntityManager } from '@mikro-orm/postgresql';
import type { Blockchain } from '../domain/wallet-address.js';
import { walletDigest } from '../domain/wallet-challenge.entity.js';

/** Why a message sent back redeemed no challenge. */
export type UnredeemedReason = 'unknown_or_spent' | 'altered';

/**
 * Spends the challenge a message was issued under, in one statement that commits at once: it
 * matches only an unused, unexpired challenge with this nonce, issued for exactly this text, and
 * marks it used as it finds it, so of two requests carrying one message only one can succeed.
 * Returns the address and chain the challenge was issued for, or why there was none to spend.
 */
export async function redeemWalletChallenge(
  em: EntityManager,
  sent: { nonce: string; message: string; now: Date },
): Promise<{ address: string; blockchain: Blockchain } | { refused: UnredeemedReason }> {
  const nonceHash = walletDigest(sent.nonce);
  const messageHash = walletDigest(sent.message);
  const rows = await em.getConnection().execute<{ address: string; blockchain: Blockchain }[]>(
    `update wallet_challenges set used_at = ?
      where nonce_hash = ? and message_hash = ? and used_at is null and expires_at > ?
      returning address, blockchain`,
    [sent.now, nonceHash, messageHash, sent.now],
  );
  if (rows[0]) return { address: rows[0].address, blockchain: rows[0].blockchain };
  // Only to say why: a live challenge whose message came back changed is "altered".
  const issued = await em
    .getConnection()
    .execute<{ message_hash: string }[]>(
      'select message_hash from wallet_challenges where nonce_hash = ? and used_at is null and expires_at > ?',
      [nonceHash, sent.now],
    );
  return { refused: issued[0] && issued[0].message_hash !== messageHash ? 'altered' : 'unknown_or_spent' };
}
