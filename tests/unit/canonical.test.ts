import { canonicalEntry, chainHash } from '../../src/identity/domain/audit-canonical';

describe('canonical audit entry', () => {
  // Chains already stored were hashed over exactly these bytes: the format may not drift.
  const entry = {
    sequence: '42',
    id: '00000000-0000-4000-8000-000000000001',
    type: 'session.refreshed',
    actorId: null,
    subjectId: '00000000-0000-4000-8000-000000000002',
    clientIp: '127.0.0.1',
    userAgent: 'Agent "ü" \\ 🦓',
    requestId: undefined,
    occurredAt: new Date('2026-11-28T10:00:00.123Z'),
    data: '{"deviceId":"d1"}',
  };

  it('is the v1 JSON array of the fields, in order, absent values null', () => {
    expect(canonicalEntry(entry)).toBe(
      '["v1","42","00000000-0000-4000-8000-000000000001","session.refreshed",null,' +
        '"00000000-0000-4000-8000-000000000002","127.0.0.1","Agent \\"ü\\" \\\\ 🦓",null,' +
        '"2026-11-28T10:00:00.123Z","{\\"deviceId\\":\\"d1\\"}"]',
    );
    expect(JSON.parse(canonicalEntry(entry))).toHaveLength(11);
  });

  it('hashes the previous hash, a newline and the entry', () => {
    expect(chainHash('0'.repeat(64), entry)).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash('0'.repeat(64), entry)).not.toBe(chainHash('1'.repeat(64), entry));
  });
});
