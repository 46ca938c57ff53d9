import type { Ref } from '@mikro-orm/core';
import { Session, SessionRevocation } from '../../src/identity/domain/session.entity';
import { User } from '../../src/identity/domain/user.entity';

const now = new Date('2026-01-01T00:00:00Z');
const DAY = 86400_000;
const at = (ms: number) => new Date(now.getTime() + ms);
const owner = new User({ username: 'ana', email: 'ana@example.com', passwordHash: 'h', now });
/**
 * A reference to the owner as the ORM hands one out: its id readable without loading. (`ref()` of an
 * entity the ORM has not discovered gives a scalar reference with no id.)
 */
const ownerRef = { id: owner.id } as unknown as Ref<User>;
const aSession = () =>
  new Session({
    user: ownerRef,
    deviceId: 'phone',
    refreshTokenHash: 'hash0',
    now,
    idleTtlSeconds: 14 * 86400,
    absoluteTtlSeconds: 60 * 86400,
  });

/** A session whose creation event has already been taken. */
const aQuietSession = () => {
  const s = aSession();
  s.events.pull();
  return s;
};

describe('Session construction', () => {
  it('starts at generation 0, used now, idle expiry after the idle lifetime, and records session.created', () => {
    const s = new Session({
      user: ownerRef,
      deviceId: 'phone',
      deviceName: 'Pixel 8',
      refreshTokenHash: 'hash0',
      now,
      idleTtlSeconds: 14 * 86400,
      absoluteTtlSeconds: 60 * 86400,
    });
    expect(s.generation).toBe(0);
    expect(s.createdAt).toEqual(now);
    expect(s.lastUsedAt).toEqual(now);
    expect(s.expiresAt).toEqual(at(14 * DAY));
    expect(s.absoluteExpiresAt).toEqual(at(60 * DAY));
    expect(s.deviceName).toBe('Pixel 8');
    expect(s.revokedAt).toBeUndefined();
    expect(s.revokedReason).toBeUndefined();
    expect(s.isActive(now)).toBe(true);
    expect(s.events.pull()).toEqual([
      { type: 'session.created', subjectId: owner.id, data: { sessionId: s.id, deviceId: 'phone' } },
    ]);
  });

  it('caps the idle expiry at the absolute lifetime when the latter is shorter', () => {
    const s = new Session({
      user: ownerRef,
      deviceId: 'phone',
      refreshTokenHash: 'hash0',
      now,
      idleTtlSeconds: 14 * 86400,
      absoluteTtlSeconds: 3600,
    });
    expect(s.absoluteExpiresAt).toEqual(at(3600_000));
    expect(s.expiresAt).toEqual(at(3600_000));
  });
});

describe('Session', () => {
  it('expires after the idle lifetime', () => {
    const s = aSession();
    expect(s.isActive(new Date(now.getTime() + 14 * 86400_000 - 1))).toBe(true);
    expect(s.isActive(new Date(now.getTime() + 14 * 86400_000))).toBe(false);
  });

  it('names the idle expiry a refresh pushes to, and the event of a refresh and of a hand-back', () => {
    const s = aSession();
    expect(Session.idleExpiry(at(DAY), 14 * 86400)).toEqual(at(15 * DAY));
    expect(Session.refreshed(owner.id, s.id, 4)).toEqual({
      type: 'session.refreshed',
      subjectId: owner.id,
      data: { sessionId: s.id, generation: 4 },
      authenticationUnchanged: true,
    });
    s.generation = 2;
    expect(s.handedBack()).toEqual({
      type: 'session.refreshed',
      subjectId: owner.id,
      data: { sessionId: s.id, generation: 2, handedBack: true },
      authenticationUnchanged: true,
    });
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

  it('is active until the idle expiry and no longer once revoked', () => {
    const s = aSession();
    expect(s.isActive(at(DAY))).toBe(true);
    s.revoke(SessionRevocation.REVOKED, at(DAY));
    expect(s.isActive(at(DAY))).toBe(false);
    expect(s.isActive(now)).toBe(false);
  });
});

describe('Session.revoke', () => {
  it('sets the time and the reason, drops the grace token and records session.revoked', () => {
    const s = aQuietSession();
    s.graceTokenCiphertext = 'v1:k1:grace';
    s.revoke(SessionRevocation.PASSWORD_CHANGED, at(DAY));
    expect(s.revokedAt).toEqual(at(DAY));
    expect(s.revokedReason).toBe(SessionRevocation.PASSWORD_CHANGED);
    expect(s.graceTokenCiphertext).toBeUndefined();
    expect(s.events.pull()).toEqual([
      {
        type: 'session.revoked',
        subjectId: owner.id,
        data: { sessionId: s.id, reason: 'password_changed' },
      },
    ]);
  });

  it('records refresh_token.reused with the generation before the revocation when reuse is detected', () => {
    const s = aQuietSession();
    s.generation = 7;
    s.revoke(SessionRevocation.REUSE_DETECTED, at(DAY));
    expect(s.revokedReason).toBe(SessionRevocation.REUSE_DETECTED);
    expect(s.events.pull()).toEqual([
      { type: 'refresh_token.reused', subjectId: owner.id, data: { sessionId: s.id, generation: 7 } },
      {
        type: 'session.revoked',
        subjectId: owner.id,
        data: { sessionId: s.id, reason: 'reuse_detected' },
      },
    ]);
  });

  it('is idempotent: a second revocation changes nothing and records no event', () => {
    const s = aQuietSession();
    s.revoke(SessionRevocation.LOGOUT, at(DAY));
    s.events.pull();
    s.graceTokenCiphertext = 'v1:k1:later';
    s.revoke(SessionRevocation.REUSE_DETECTED, at(2 * DAY));
    expect(s.revokedAt).toEqual(at(DAY));
    expect(s.revokedReason).toBe(SessionRevocation.LOGOUT);
    expect(s.graceTokenCiphertext).toBe('v1:k1:later');
    expect(s.events.pull()).toEqual([]);
  });
});

describe('Session refresh budget', () => {
  const budget = { perWindow: 3, windowSeconds: 60 };

  it('has room before any refresh and while the window counts fewer than the budget', () => {
    const s = aQuietSession();
    expect(s.refreshWaitMs(now, budget)).toBe(0);
    s.refreshWindowStartedAt = now;
    s.refreshCount = 2;
    expect(s.refreshWaitMs(at(59_000), budget)).toBe(0);
  });

  it('waits for the end of the window once the budget is spent, and has room again from then on', () => {
    const s = aQuietSession();
    s.refreshWindowStartedAt = now;
    s.refreshCount = 3;
    expect(s.refreshWaitMs(at(20_000), budget)).toBe(40_000);
    expect(s.refreshWaitMs(at(59_999), budget)).toBe(1);
    expect(s.refreshWaitMs(at(60_000), budget)).toBe(0);
  });
});
