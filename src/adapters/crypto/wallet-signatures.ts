import { base58 } from '@scure/base';
import type { Hex } from 'viem';
import { badInput } from '../../kernel/errors.js';

/** The two wallet families whose signatures the service checks (the values of the Blockchain enum). */
export type WalletChain = 'ETHEREUM' | 'SOLANA';

/** A signature in the form its wallet family hands it out, already checked for shape. */
export type WalletSignature = { chain: 'ETHEREUM'; hex: Hex } | { chain: 'SOLANA'; bytes: Uint8Array };

/**
 * Reads a signature as wallets return it: Ethereum `personal_sign` gives `0x` and 65 bytes in hex
 * (r, s, then v = 27 or 28); a Solana wallet's `signMessage` gives 64 bytes, sent base58-encoded.
 * Anything else is BAD_USER_INPUT on `signature`.
 */
export function parseWalletSignature(chain: WalletChain, text: string): WalletSignature {
  if (chain === 'ETHEREUM') {
    if (!/^0x[0-9a-fA-F]{130}$/.test(text))
      throw badInput(
        'signature',
        'An Ethereum signature is 0x followed by 130 hexadecimal digits (65 bytes)',
      );
    const v = text.slice(-2).toLowerCase();
    if (v !== '1b' && v !== '1c') throw badInput('signature', 'The signature’s v must be 27 or 28');
    return { chain, hex: text as Hex };
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = base58.decode(text);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 64) throw badInput('signature', 'A Solana signature is 64 bytes, base58-encoded');
  return { chain, bytes };
}

/**
 * Whether `signature` is the wallet `address`'s signature of exactly `message`: for Ethereum an
 * EIP-191 `personal_sign` signature recovering to the address (viem), for Solana an Ed25519
 * signature (RFC 8032, strict encodings; @noble/curves) over the message's UTF-8 bytes by the
 * address's public key. A signature that cannot be valid at all answers false rather than throwing.
 */
export async function verifyWalletSignature(
  address: string,
  message: string,
  signature: WalletSignature,
): Promise<boolean> {
  // The verifiers load on first use: together about 15 MiB that a service whose users never sign
  // in with a wallet does not carry. Each loads outside its try: a library that fails to load is a
  // fault of the service (an internal error), never a wrong signature counted against the account.
  if (signature.chain === 'ETHEREUM') {
    const { verifyMessage } = await import('viem');
    try {
      return await verifyMessage({ address: address as Hex, message, signature: signature.hex });
    } catch {
      return false;
    }
  }
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  try {
    return ed25519.verify(signature.bytes, new TextEncoder().encode(message), base58.decode(address), {
      zip215: false,
    });
  } catch {
    return false;
  }
}
