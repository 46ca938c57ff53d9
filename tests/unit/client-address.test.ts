import { isIPv6 } from 'node:net';
import { clientAddressKey } from '../../src/adapters/rate-limits/client-address';

const key64 = (address: string) => clientAddressKey(address, 64);

describe('client address keys', () => {
  it('keeps an IPv4 address whole', () => {
    expect(key64('203.0.113.9')).toBe('203.0.113.9');
    expect(key64('203.0.113.10')).toBe('203.0.113.10');
    expect(key64('0.0.0.0')).toBe('0.0.0.0');
  });

  it('turns an IPv4-mapped IPv6 address into the IPv4 address, however it is written', () => {
    for (const mapped of [
      '::ffff:203.0.113.9',
      '::FFFF:203.0.113.9',
      '0:0:0:0:0:ffff:203.0.113.9',
      '0000:0000:0000:0000:0000:FFFF:203.0.113.9',
      '::ffff:cb00:7109',
      '::FFFF:CB00:7109',
      '0:0:0:0:0:ffff:cb00:7109',
    ]) {
      expect(key64(mapped)).toBe('203.0.113.9');
    }
    // Whatever the prefix length: the mapped address is an IPv4 client.
    expect(clientAddressKey('::ffff:203.0.113.9', 32)).toBe('203.0.113.9');
    expect(clientAddressKey('::ffff:203.0.113.9', 128)).toBe('203.0.113.9');
  });

  it('gives every spelling of every address of one /64 the same key', () => {
    const spellings = [
      '2001:db8:1:2::a',
      '2001:db8:1:2::b',
      '2001:DB8:1:2::A',
      '2001:0db8:0001:0002:0000:0000:0000:000a',
      '2001:db8:1:2:0:0:0:a',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:db8:1:2:1234:5678:9abc:def0',
      '2001:db8:1:2::',
      '2001:db8:1:2:0:0:1.2.3.4',
      '2001:db8:1:2::1.2.3.4',
    ];
    const keys = new Set(spellings.map(key64));
    expect([...keys]).toEqual(['2001:db8:1:2::/64']);
  });

  it('gives another /64 its own key', () => {
    expect(key64('2001:db8:1:3::a')).toBe('2001:db8:1:3::/64');
    expect(key64('2001:db8:1:3::a')).not.toBe(key64('2001:db8:1:2::a'));
    expect(key64('2001:db8::1')).toBe('2001:db8::/64');
    expect(key64('::1')).toBe('::/64');
    expect(key64('::')).toBe('::/64');
  });

  it('writes the prefix canonically (RFC 5952): lower case, no leading zeros, the longest zero run compressed', () => {
    expect(key64('2001:0DB8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::/64');
    expect(clientAddressKey('2001:db8:0:0:1:0:0:1', 128)).toBe('2001:db8::1:0:0:1/128');
    // The first of two equally long zero runs is compressed.
    expect(clientAddressKey('2001:0:0:1:0:0:1:1', 128)).toBe('2001::1:0:0:1:1/128');
    // A single zero group is not compressed.
    expect(clientAddressKey('2001:db8:0:1:1:1:1:1', 128)).toBe('2001:db8:0:1:1:1:1:1/128');
    expect(clientAddressKey('fe80::', 128)).toBe('fe80::/128');
  });

  it('cuts at any prefix length, including ones inside a group', () => {
    expect(clientAddressKey('2001:db8:1:2::a', 48)).toBe('2001:db8:1::/48');
    expect(clientAddressKey('2001:db8:1:ffff::a', 56)).toBe('2001:db8:1:ff00::/56');
    expect(clientAddressKey('2001:db8:1:ffff::a', 60)).toBe('2001:db8:1:fff0::/60');
    expect(clientAddressKey('2001:db8:abcd:1::', 32)).toBe('2001:db8::/32');
    expect(clientAddressKey('2001:db8:1:2::a', 128)).toBe('2001:db8:1:2::a/128');
    expect(clientAddressKey('2001:db8:1:2::a', 128)).not.toBe(clientAddressKey('2001:db8:1:2::b', 128));
    expect(clientAddressKey('2001:db8:1:2::a', 127)).toBe(clientAddressKey('2001:db8:1:2::b', 127));
  });

  it('ignores a zone id, which names the host’s interface rather than the client', () => {
    // Node accepts scoped addresses, so a socket may hand one over.
    expect(isIPv6('fe80::1%eth0')).toBe(true);
    expect(key64('fe80::1%eth0')).toBe('fe80::/64');
    expect(key64('fe80::2%25')).toBe('fe80::/64');
    expect(clientAddressKey('FE80::1%eth0', 128)).toBe('fe80::1/128');
  });

  it('passes anything that is not an address through unchanged, to be keyed as it is', () => {
    for (const text of [
      '',
      'unknown',
      '2001:db8::1::2',
      '2001:db8:1:2:3:4:5:6:7',
      '12345::1',
      '203.0.113.256',
      '[2001:db8::1]',
      '2001:db8::g',
      '::ffff:203.0.113',
      '%eth0',
    ]) {
      expect(key64(text)).toBe(text);
    }
  });
});
