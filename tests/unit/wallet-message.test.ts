import { Blockchain } from '../../src/identity/domain/wallet-address';
import {
  buildWalletMessage,
  parseWalletMessage,
  type WalletMessage,
} from '../../src/identity/domain/wallet-message';
import { DomainError } from '../../src/kernel/errors';

const fields: WalletMessage = {
  blockchain: Blockchain.ETHEREUM,
  domain: 'id.elcorp.test:8443',
  address: '0x8304F09FF5b7A330252B1C16A459Ad3A1b96d7c4',
  statement: 'Sign in to elcorp identity with this wallet.',
  uri: 'https://id.elcorp.test:8443/account',
  chainId: '1',
  nonce: '0123456789abcdef0123456789abcdef',
  issuedAt: new Date('2026-12-02T10:00:00.000Z'),
  expirationTime: new Date('2026-12-02T10:05:00.000Z'),
};

const fieldOf = (text: string) => {
  try {
    parseWalletMessage(text);
  } catch (err) {
    return err instanceof DomainError ? `${err.code}:${err.details.field}` : 'other error';
  }
  return 'parsed';
};

describe('wallet messages', () => {
  it('reads back every field of the message it builds, for both chains', () => {
    expect(parseWalletMessage(buildWalletMessage(fields))).toEqual(fields);
    const solana = {
      ...fields,
      blockchain: Blockchain.SOLANA,
      address: 'GsbwXfJraMomNxBcjYLcG3mxkBUiyWXAB32fGbSMQRdW',
      chainId: 'mainnet',
    };
    expect(parseWalletMessage(buildWalletMessage(solana))).toEqual(solana);
  });

  it('reads back a message for a service at an IPv6 address', () => {
    const ipv6 = { ...fields, domain: '[::1]:4000', uri: 'http://[::1]:4000/account' };
    expect(parseWalletMessage(buildWalletMessage(ipv6))).toEqual(ipv6);
    expect(fieldOf(buildWalletMessage({ ...ipv6, domain: '[not-an-address]:4000' }))).toBe(
      'BAD_USER_INPUT:message',
    );
  });

  it.each([
    ['a trailing newline', (m: string) => `${m}\n`],
    ['fields out of order', (m: string) => m.replace(/(Version: 1)\n(Chain ID: 1)/, '$2\n$1')],
    ['another version', (m: string) => m.replace('Version: 1', 'Version: 2')],
    ['a short nonce', (m: string) => m.replace(/Nonce: \w+/, 'Nonce: abc')],
    ['a date that is not RFC 3339', (m: string) => m.replace(/Issued At: .*/, 'Issued At: yesterday')],
    ['a relative URI', (m: string) => m.replace(/URI: .*/, 'URI: /account')],
    ['an address with a broken checksum', (m: string) => m.replace('0x8304F', '0x8304f')],
    ['no statement', (m: string) => m.replace(/\n\nSign in[^\n]*/, '')],
  ])('refuses %s as BAD_USER_INPUT on message', (_, change) => {
    const text = change(buildWalletMessage(fields));
    expect(text).not.toBe(buildWalletMessage(fields));
    expect(fieldOf(text)).toBe('BAD_USER_INPUT:message');
  });
});
