import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { recordSecretsIn } from './log-scan';

export interface TestWallet {
  blockchain: 'ETHEREUM' | 'SOLANA';
  address: string;
  /** Signs as the wallet would: EIP-191 `personal_sign`, or Ed25519 over the UTF-8 bytes (base58). */
  sign(message: string): Promise<string>;
}

/** Signatures and messages (which hold nonces) must never reach a log line: the log scan looks for them. */
const keepOutOfLogs = (message: string, signature: string) => {
  const nonce = /^Nonce: (.+)$/m.exec(message)?.[1];
  recordSecretsIn({ secret: [signature, ...(nonce ? [nonce] : [])] });
  return signature;
};

/** An Ethereum account with a fresh secp256k1 key, signing like an injected provider's `personal_sign`. */
export function anEthereumWallet(): TestWallet {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    blockchain: 'ETHEREUM',
    address: account.address,
    sign: async (message) => keepOutOfLogs(message, await account.signMessage({ message })),
  };
}

/** A Solana keypair, signing like a wallet's `signMessage` (64 bytes, sent base58-encoded). */
export function aSolanaWallet(): TestWallet {
  const secretKey = ed25519.utils.randomSecretKey();
  return {
    blockchain: 'SOLANA',
    address: base58.encode(ed25519.getPublicKey(secretKey)),
    sign: async (message) =>
      keepOutOfLogs(message, base58.encode(ed25519.sign(new TextEncoder().encode(message), secretKey))),
  };
}
