import { isIPv4, isIPv6 } from 'node:net';

/** The prefix length that names one IPv6 client unless configured otherwise: a /64, one subnet. */
export const DEFAULT_IPV6_PREFIX_BITS = 64;

/**
 * The rate-limit key of a client address. One IPv6 client usually holds a whole /64 (SLAAC,
 * privacy addresses, a delegated prefix), so an IPv6 address is cut to its first `prefixBits`
 * bits and written canonically (RFC 5952, with the length: `2001:db8:1:2::/64`): every spelling
 * of every address in one prefix gives one key. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`,
 * also written `::ffff:c000:201`) is the IPv4 client it maps and gives that address's key. An
 * IPv4 address is its own key. A zone id (`fe80::1%eth0`) names the host's interface, not the
 * client, and is dropped. Anything else is returned unchanged, to be keyed as it is.
 */
export function clientAddressKey(address: string, prefixBits: number = DEFAULT_IPV6_PREFIX_BITS): string {
  if (isIPv4(address)) return address;
  const groups = parseIPv6(address);
  if (!groups) return address;
  if (isIPv4Mapped(groups)) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  const bits = Math.min(128, Math.max(0, Math.trunc(prefixBits)));
  return `${formatIPv6(maskGroups(groups, bits))}/${bits}`;
}

/** The eight 16-bit groups of an IPv6 address (a zone id ignored), or undefined when it is none. */
function parseIPv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  // Node's own grammar decides what an address is; the parse below only reads a valid one.
  if (!isIPv6(address)) return undefined;
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const parsePart = (part: string | undefined): number[] => {
    if (!part) return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = piece.split('.').map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        groups.push(Number.parseInt(piece, 16));
      }
    }
    return groups;
  };
  const front = parsePart(head);
  const back = parsePart(tail);
  const zeros = tail === undefined ? 0 : 8 - front.length - back.length;
  const groups = [...front, ...Array<number>(zeros).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

/** ::ffff:0:0/96, the IPv6 spelling of an IPv4 address. */
const isIPv4Mapped = (groups: number[]) => groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;

/** The groups with every bit after the first `bits` cleared. */
function maskGroups(groups: number[], bits: number): number[] {
  return groups.map((group, i) => {
    const keep = Math.min(16, Math.max(0, bits - i * 16));
    return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff);
  });
}

/** RFC 5952 text: lower-case hex without leading zeros, the first longest run of two or more zero groups as `::`. */
function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
