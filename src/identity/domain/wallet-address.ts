import { keccak_256 } from '@noble/hashes/sha3.js';
import { base58 } from '@scure/base';
import { badInput } from '../../kernel/errors.js';

export enum Blockchain {
  ETHEREUM = 'ETHEREUM',
  SOLANA = 'SOLANA',
}

/**
 * A wallet address in canonical form. Ethereum: 0x + 40 hex digits; an
 * all-lowercase (or all-uppercase) address is accepted and returned with its
 * EIP-55 checksum, a mixed-case one must carry the right checksum. Solana: the
 * base58 encoding of exactly 32 bytes.
 */
export function parseWalletAddress(input: string, chain: Blockchain, field = 'walletAddress'): string {
  const text = input.trim();
  return chain === Blockchain.ETHEREUM ? parseEthereum(text, field) : parseSolana(text, field);
}

/** The EIP-55 mixed-case checksum form of a 40-hex-digit address. */
export function toChecksumAddress(hex40: string): string {
  const lower = hex40.toLowerCase();
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(lower))).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) out += Number.parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}

function parseEthereum(text: string, field: string): string {
  const match = /^0x([0-9a-fA-F]{40})$/.exec(text);
  if (!match) throw badInput(field, 'An Ethereum address is 0x followed by 40 hexadecimal digits');
  const hex = match[1];
  const checksummed = toChecksumAddress(hex);
  const mixedCase = hex !== hex.toLowerCase() && hex !== hex.toUpperCase();
  if (mixedCase && `0x${hex}` !== checksummed)
    throw badInput(field, 'The Ethereum address checksum (EIP-55) is wrong');
  return checksummed;
}

function parseSolana(text: string, field: string): string {
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(text);
  } catch {
    throw badInput(field, 'A Solana address is base58-encoded');
  }
  if (bytes.length !== 32) throw badInput(field, 'A Solana address encodes exactly 32 bytes');
  return text;
}
