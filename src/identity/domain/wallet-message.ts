import { badInput } from '../../kernel/errors.js';
import { Blockchain, parseWalletAddress, toChecksumAddress } from './wallet-address.js';

/** How long a wallet challenge can be signed and sent back. */
export const WALLET_CHALLENGE_TTL_SECONDS = 300;

/** The human-readable line every wallet message carries, shown by the wallet above the fields. */
export const WALLET_STATEMENT = 'Sign in to elcorp identity with this wallet.';

/**
 * The chain each message names. Signing in does not touch a chain, so these only say which network
 * the account lives on: Ethereum mainnet (EIP-155 id 1) and Solana's mainnet.
 */
export const WALLET_CHAIN_IDS: Record<Blockchain, string> = {
  [Blockchain.ETHEREUM]: '1',
  [Blockchain.SOLANA]: 'mainnet',
};

/** Longest message text accepted back: ours are about 400 characters. */
const MAX_MESSAGE_LENGTH = 2000;

const CHAIN_WORD: Record<Blockchain, string> = {
  [Blockchain.ETHEREUM]: 'Ethereum',
  [Blockchain.SOLANA]: 'Solana',
};

/**
 * The fields of a Sign-In with Ethereum (EIP-4361) message, or of its Solana counterpart (the
 * Sign In With Solana text, the same lines with "Solana account" and a Solana chain id).
 */
export interface WalletMessage {
  blockchain: Blockchain;
  /** The authority (host and port) of the site asking for the signature. */
  domain: string;
  /** EIP-55 checksummed for Ethereum, base58 for Solana. */
  address: string;
  statement: string;
  uri: string;
  chainId: string;
  /** Alphanumeric, at least 8 characters. */
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
}

/** The message text a wallet shows and signs: one field a line, `\n` between lines, no trailing newline. */
export function buildWalletMessage(m: WalletMessage): string {
  return [
    `${m.domain} wants you to sign in with your ${CHAIN_WORD[m.blockchain]} account:`,
    m.address,
    '',
    m.statement,
    '',
    `URI: ${m.uri}`,
    'Version: 1',
    `Chain ID: ${m.chainId}`,
    `Nonce: ${m.nonce}`,
    `Issued At: ${m.issuedAt.toISOString()}`,
    `Expiration Time: ${m.expirationTime.toISOString()}`,
  ].join('\n');
}

/** The domain is an RFC 3986 authority: a host name, an IPv4 address or a bracketed IPv6 one, and an optional port. */
const HEADER =
  /^((?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?) wants you to sign in with your (Ethereum|Solana) account:$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const FIELDS = ['URI', 'Version', 'Chain ID', 'Nonce', 'Issued At', 'Expiration Time'] as const;
const CHAIN_ID: Record<Blockchain, RegExp> = {
  [Blockchain.ETHEREUM]: /^[1-9][0-9]{0,15}$/,
  [Blockchain.SOLANA]: /^(?:solana:)?(?:mainnet|devnet|testnet|localnet)$/,
};

const malformed = (why: string) => badInput('message', `The wallet message is malformed: ${why}`);

/**
 * Reads a message a client sends back, strictly: exactly the lines `buildWalletMessage` writes, in
 * its order, each value well-formed (an Ethereum address must carry its EIP-55 checksum). Anything
 * else is BAD_USER_INPUT on `message`. Whether it is the message that was issued is for the
 * caller to check.
 */
export function parseWalletMessage(text: string): WalletMessage {
  if (text.length > MAX_MESSAGE_LENGTH) throw malformed(`longer than ${MAX_MESSAGE_LENGTH} characters`);
  if (text.includes('\r')) throw malformed('lines end with \\n alone');
  const lines = text.split('\n');
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) throw malformed('the first line names no domain and chain');
  const blockchain = header[2] === 'Ethereum' ? Blockchain.ETHEREUM : Blockchain.SOLANA;
  const address = parseAddress(lines[1] ?? '', blockchain);
  if (lines[2] !== '') throw malformed('a blank line follows the address');
  const statement = lines[3] ?? '';
  if (!statement || statement.includes(': ') || /[^\x20-\x7e]/.test(statement))
    throw malformed('the statement line is missing or not plain text');
  if (lines[4] !== '') throw malformed('a blank line follows the statement');
  const rest = lines.slice(5);
  if (rest.length !== FIELDS.length) throw malformed(`the fields are ${FIELDS.join(', ')}, in this order`);
  const values = FIELDS.map((name, i) => {
    const prefix = `${name}: `;
    const line = rest[i];
    if (!line.startsWith(prefix)) throw malformed(`line ${i + 6} should be "${name}"`);
    return line.slice(prefix.length);
  });
  const [uri, version, chainId, nonce, issuedAt, expirationTime] = values;
  if (!isAbsoluteUri(uri)) throw malformed('URI is not an absolute http(s) URI');
  if (version !== '1') throw malformed('Version must be 1');
  if (!CHAIN_ID[blockchain].test(chainId)) throw malformed('Chain ID is not one of this chain');
  if (!/^[A-Za-z0-9]{8,64}$/.test(nonce)) throw malformed('Nonce is 8 to 64 letters and digits');
  return {
    blockchain,
    domain: header[1],
    address,
    statement,
    uri,
    chainId,
    nonce,
    issuedAt: parseTime(issuedAt, 'Issued At'),
    expirationTime: parseTime(expirationTime, 'Expiration Time'),
  };
}

function parseAddress(text: string, chain: Blockchain): string {
  if (chain === Blockchain.ETHEREUM) {
    const hex = /^0x([0-9a-fA-F]{40})$/.exec(text)?.[1];
    if (!hex) throw malformed('the address line holds no Ethereum address');
    if (toChecksumAddress(hex) !== text) throw malformed('the Ethereum address must be EIP-55 checksummed');
    return text;
  }
  try {
    return parseWalletAddress(text, chain, 'message');
  } catch {
    throw malformed('the address line holds no Solana address');
  }
}

function parseTime(text: string, name: string): Date {
  const time = RFC3339.test(text) ? new Date(text) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw malformed(`${name} is not an RFC 3339 date-time`);
  return time;
}

function isAbsoluteUri(text: string): boolean {
  if (/\s/.test(text)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
