import { Email } from '../../src/identity/domain/email';
import { parseNamibianPhone } from '../../src/identity/domain/phone-number';
import { parseUsername } from '../../src/identity/domain/username';
import { Blockchain, parseWalletAddress } from '../../src/identity/domain/wallet-address';
import { DomainError } from '../../src/kernel/errors';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}:${err.details.field}`;
    throw err;
  }
  return 'accepted';
};

describe('Email', () => {
  it('trims and lower-cases', () => {
    expect(Email.parse('  Ana.Shikongo@Example.NA ').value).toBe('ana.shikongo@example.na');
    expect(Email.parse('x+tag@mail.example.com').localPart).toBe('x+tag');
  });
  it.each([
    'plain',
    'a@b',
    'a b@example.com',
    '@example.com',
    'a@-example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('refuses %s', (input) => expect(fieldOf(() => Email.parse(input))).toBe('BAD_USER_INPUT:email'));

  it.each(["o'brien+news@example.com", 'first.last@example.com', "!#$%&'*+-/=?^_`{|}~@example.com"])(
    'accepts the RFC 5321 dot-atom local part %s',
    (input) => expect(Email.parse(input).value).toBe(input),
  );

  it.each([
    ['Cyrillic а', '\u0430lice@example.com'],
    ['Greek ο', 'b\u03bfb@example.com'],
    ['fullwidth ａ', '\uff41lice@example.com'],
    ['Kelvin sign', '\u212aate@example.com'],
    ['dotted capital I', 'al\u0130ce@example.com'],
    ['a zero-width space', 'ali\u200bce@example.com'],
    ['a zero-width joiner', 'ali\u200dce@example.com'],
    ['a word joiner', 'ali\u2060ce@example.com'],
    ['a right-to-left override', 'ali\u202ece@example.com'],
    ['a left-to-right mark', 'ali\u200ece@example.com'],
    ['a NUL', 'ali\u0000ce@example.com'],
    ['a C1 control', 'ali\u0085ce@example.com'],
    ['a soft hyphen', 'ali\u00adce@example.com'],
    ['an accented letter', 'jos\u00e9@example.com'],
    ['a quoted string', '"alice smith"@example.com'],
    ['a leading dot', '.alice@example.com'],
    ['a trailing dot', 'alice.@example.com'],
    ['two dots in a row', 'ali..ce@example.com'],
    ['a backslash', 'ali\\ce@example.com'],
  ])('refuses a local part with %s', (_what, input) =>
    expect(fieldOf(() => Email.parse(input))).toBe('BAD_USER_INPUT:email'),
  );

  it('stores an internationalised domain as its lower-case ASCII (punycode) form', () => {
    expect(Email.parse('ana@M\u00fcnchen.DE').value).toBe('ana@xn--mnchen-3ya.de');
    expect(Email.parse('ana@xn--mnchen-3ya.de').value).toBe('ana@xn--mnchen-3ya.de');
    expect(Email.parse('ana@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444').value).toBe(
      'ana@xn--e1afmkfd.xn--p1ai',
    );
  });

  it('never stores a domain that looks like another: a Cyrillic lookalike is spelled out in punycode', () => {
    const lookalike = Email.parse('ana@ex\u0430mple.com').value;
    expect(lookalike).toMatch(/^ana@xn--[a-z0-9-]+\.com$/);
    expect(lookalike).not.toBe(Email.parse('ana@example.com').value);
  });

  it.each([
    ['a zero-width space', 'ana@exam\u200bple.com'],
    ['a right-to-left override', 'ana@exam\u202eple.com'],
    ['a NUL', 'ana@exam\u0000ple.com'],
    ['a space', 'ana@exam ple.com'],
  ])('refuses a domain with %s', (_what, input) =>
    expect(fieldOf(() => Email.parse(input))).toBe('BAD_USER_INPUT:email'),
  );
});

describe('username', () => {
  it.each(['abc', 'A.b-c_9', 'x'.repeat(32)])('accepts %s', (u) => expect(parseUsername(u)).toBe(u));
  it.each(['ab', 'x'.repeat(33), 'with space', 'emoji🙂', 'semi;colon'])('refuses %s', (u) =>
    expect(fieldOf(() => parseUsername(u))).toBe('BAD_USER_INPUT:username'),
  );
});

describe('Namibian phone numbers', () => {
  it.each([
    ['+264 81 234 5678', '+264812345678'],
    ['081 234 5678', '+264812345678'],
    ['081-234-5678', '+264812345678'],
    ['0612345678', '+264612345678'],
    ['+264852345678', '+264852345678'],
  ])('accepts %s as %s', (input, e164) => expect(parseNamibianPhone(input)).toBe(e164));

  it.each(['+27 82 123 4567', '+1 202 555 0143', '12345', '0812', 'call me', '+264 81 234 5678 999 999'])(
    'refuses %s',
    (input) => expect(fieldOf(() => parseNamibianPhone(input))).toBe('BAD_USER_INPUT:phone'),
  );
});

describe('wallet addresses', () => {
  // EIP-55 test vectors.
  const checksummed = [
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];
  it.each(checksummed)('keeps the checksummed Ethereum address %s', (a) =>
    expect(parseWalletAddress(a, Blockchain.ETHEREUM)).toBe(a),
  );
  it.each(checksummed)('checksums the lower-case form of %s', (a) =>
    expect(parseWalletAddress(a.toLowerCase(), Blockchain.ETHEREUM)).toBe(a),
  );
  it('refuses a wrong mixed-case checksum and malformed Ethereum addresses', () => {
    for (const bad of [
      '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0x123',
      '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
      '0xZZ',
    ]) {
      expect(fieldOf(() => parseWalletAddress(bad, Blockchain.ETHEREUM))).toBe(
        'BAD_USER_INPUT:walletAddress',
      );
    }
  });
  it('accepts a 32-byte base58 Solana address and refuses other lengths and alphabets', () => {
    expect(parseWalletAddress('So11111111111111111111111111111111111111112', Blockchain.SOLANA)).toBe(
      'So11111111111111111111111111111111111111112',
    );
    for (const bad of [
      'So1111',
      '0OIl1111111111111111111111111111111111111111',
      '11111111111111111111111111111111111111111111111',
    ]) {
      expect(fieldOf(() => parseWalletAddress(bad, Blockchain.SOLANA))).toBe('BAD_USER_INPUT:walletAddress');
    }
  });
});
