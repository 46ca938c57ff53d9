import { createHmac, randomBytes } from 'node:crypto';
import { createCodeHasher } from '../../src/identity/domain/one-time-codes';

describe('code hasher', () => {
  it('stores a code as the hex HMAC-SHA-256 of "purpose:CODE" under the pepper, spaces and dashes dropped', () => {
    // The stored format: every recovery code and SMS code already stored depends on it.
    const pepper = randomBytes(32);
    const expected = createHmac('sha256', pepper).update('recovery:ABCD2345EFGH6789').digest('hex');
    const hashCode = createCodeHasher(pepper);
    expect(hashCode('recovery', 'abcd-2345 efgh-6789')).toBe(expected);
    expect(hashCode('recovery', 'ABCD2345EFGH6789')).toBe(expected);
    expect(hashCode('sms', 'ABCD2345EFGH6789')).not.toBe(expected);
    expect(createCodeHasher(randomBytes(32))('recovery', 'ABCD2345EFGH6789')).not.toBe(expected);
  });
});
