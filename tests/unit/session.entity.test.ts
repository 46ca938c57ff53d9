import { ref } from '@mikro-orm/core';
import { Session, SessionRevocation } from '../../src/identity/domain/session.entity';
import { User } from '../../src/identity/domain/user.entity';

const now = new Date('2026-01-01T00:00:00Z');
const aSession = () =>
  new Session({
    user: ref(new User({ username: 'ana', email: 'ana@example.com', passwordHash: 'h', now })),
    deviceId: 'phone',
    refreshTokenHash: 'hash0',
    now,
    idleTtlSeconds: 14 * 86400,
    absoluteTtlSeconds: 60 * 86400,
  });

describe('Session', () => {
  it('expires after the idle lifetime', () => {
    const s = aSession();
    expect(s.isActive(new Date(now.getTime() + 14 * 86400_000 - 1))).toBe(true);
    expect(s.isActive(new Date(now.getTime() + 14 * 86400_000))).toBe(false);
  });

  it('extends the idle expiry at each rotation but never past the absolute lifetime', () => {
    const s = aSession();
    s.generation = 3;
    const soon = new Date(now.getTime() + 86400_000);
    expect(s.rotation(soon, 14 * 86400)).toEqual({
      generation: 4,
      expiresAt: new Date(now.getTime() + 15 * 86400_000),
      event: { type: 'session.refreshed', subjectId: s.user.id, data: { sessionId: s.id, generation: 4 } },
    });
    const later = new Date(now.getTime() + 55 * 86400_000);
    expect(s.rotation(later, 14 * 86400).expiresAt).toEqual(new Date(now.getTime() + 60 * 86400_000));
    // A rule, not a mutation: the session is written by the rotation's SQL.
    expect(s.generation).toBe(3);
  });

  it('keeps the first revocation and forgets the grace token', () => {
    const s = aSession();
    s.graceTokenCiphertext = 'grace';
    s.revoke(SessionRevocation.LOGOUT, now);
    s.revoke(SessionRevocation.REUSE_DETECTED, new Date(now.getTime() + 1000));
    expect(s.revokedReason).toBe(SessionRevocation.LOGOUT);
    expect(s.revokedAt).toEqual(now);
    expect(s.graceTokenCiphertext).toBeUndefined();
    expect(s.isActive(now)).toBe(false);
  });
});
