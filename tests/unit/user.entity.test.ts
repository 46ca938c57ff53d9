import { Blockchain, MfaMethod, Role, UserStatus } from '../../src/identity/domain/enums';
import { User } from '../../src/identity/domain/user.entity';
import { DomainError, ErrorCode } from '../../src/kernel/errors';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T08:30:00Z');

/** A freshly registered user whose registration event has already been taken. */
const aUser = () => {
  const user = new User({
    username: 'ana',
    email: 'ana@example.com',
    passwordHash: '$2b$12$hash',
    phone: '+264811234567',
    now,
  });
  user.events.pull();
  return user;
};

/** A user in the middle of a temporary lockout after repeated failed sign-ins. */
const aTemporarilyLockedUser = () => {
  const user = aUser();
  user.failedLoginAttempts = 5;
  user.lockCount = 2;
  user.lockedUntil = new Date('2026-01-01T00:30:00Z');
  return user;
};

describe('User registration', () => {
  it('starts active, as a USER, without MFA, and records user.registered', () => {
    const user = new User({ username: 'ana', email: 'ana@example.com', passwordHash: 'h', now });
    expect(user.status).toBe(UserStatus.ACTIVE);
    expect(user.role).toBe(Role.USER);
    expect(user.canAuthenticate).toBe(true);
    expect(user.mfaEnabled).toBe(false);
    expect(user.mfaMethods).toEqual([]);
    expect(user.failedLoginAttempts).toBe(0);
    expect(user.lockCount).toBe(0);
    expect(user.createdAt).toEqual(now);
    expect(user.passwordChangedAt).toEqual(now);
    expect(user.events.pull()).toEqual([{ type: 'user.registered', subjectId: user.id, data: {} }]);
  });

  it('hands out each event once', () => {
    const user = aUser();
    user.setRole(Role.ADMIN);
    expect(user.events.pull()).toHaveLength(1);
    expect(user.events.pull()).toEqual([]);
  });
});

describe('User admin lock', () => {
  it('locks the account with the admin as the cause and the reason given', () => {
    const user = aUser();
    user.lock('stolen laptop');
    expect(user.status).toBe(UserStatus.LOCKED);
    expect(user.canAuthenticate).toBe(false);
    expect(user.events.pull()).toEqual([
      { type: 'user.locked', subjectId: user.id, data: { by: 'admin', reason: 'stolen laptop' } },
    ]);
  });

  it('records no reason when none is given', () => {
    const user = aUser();
    user.lock(null);
    const [event] = user.events.pull();
    expect(event.type).toBe('user.locked');
    expect(event.data).toEqual({ by: 'admin' });
    expect(event.data.reason).toBeUndefined();
  });

  it('unlocks an admin lock and clears the failure count, the lock count and the temporary lockout', () => {
    const user = aTemporarilyLockedUser();
    user.lock('review');
    user.events.pull();
    user.unlock();
    expect(user.status).toBe(UserStatus.ACTIVE);
    expect(user.canAuthenticate).toBe(true);
    expect(user.failedLoginAttempts).toBe(0);
    expect(user.lockCount).toBe(0);
    expect(user.lockedUntil).toBeUndefined();
    expect(user.events.pull()).toEqual([{ type: 'user.unlocked', subjectId: user.id, data: {} }]);
  });

  it('unlocks a temporary lockout of an active account, leaving it active', () => {
    const user = aTemporarilyLockedUser();
    user.unlock();
    expect(user.status).toBe(UserStatus.ACTIVE);
    expect(user.failedLoginAttempts).toBe(0);
    expect(user.lockCount).toBe(0);
    expect(user.lockedUntil).toBeUndefined();
  });

  it('does not lift a suspension when unlocking, but still clears the temporary lockout', () => {
    const user = aTemporarilyLockedUser();
    user.suspend();
    user.unlock();
    expect(user.status).toBe(UserStatus.SUSPENDED);
    expect(user.canAuthenticate).toBe(false);
    expect(user.failedLoginAttempts).toBe(0);
    expect(user.lockCount).toBe(0);
    expect(user.lockedUntil).toBeUndefined();
  });
});

describe('User suspension', () => {
  it('suspends with the reason and reactivates', () => {
    const user = aUser();
    user.suspend('chargeback');
    expect(user.status).toBe(UserStatus.SUSPENDED);
    expect(user.canAuthenticate).toBe(false);
    user.reactivate();
    expect(user.status).toBe(UserStatus.ACTIVE);
    expect(user.canAuthenticate).toBe(true);
    expect(user.events.pull()).toEqual([
      { type: 'user.suspended', subjectId: user.id, data: { reason: 'chargeback' } },
      { type: 'user.reactivated', subjectId: user.id, data: {} },
    ]);
  });

  it('records no reason for a suspension without one', () => {
    const user = aUser();
    user.suspend();
    expect(user.events.pull()).toEqual([{ type: 'user.suspended', subjectId: user.id, data: {} }]);
  });

  it('reactivation lifts a suspension only, never an admin lock', () => {
    const user = aUser();
    user.lock('review');
    user.reactivate();
    expect(user.status).toBe(UserStatus.LOCKED);
    expect(user.canAuthenticate).toBe(false);
  });

  it('leaves an active account active on reactivation', () => {
    const user = aUser();
    user.reactivate();
    expect(user.status).toBe(UserStatus.ACTIVE);
  });
});

describe('User role', () => {
  it('changes the role and records the previous and the new one', () => {
    const user = aUser();
    user.setRole(Role.ADMIN);
    expect(user.role).toBe(Role.ADMIN);
    user.setRole(Role.USER);
    expect(user.role).toBe(Role.USER);
    expect(user.events.pull()).toEqual([
      { type: 'user.role_changed', subjectId: user.id, data: { from: Role.USER, to: Role.ADMIN } },
      { type: 'user.role_changed', subjectId: user.id, data: { from: Role.ADMIN, to: Role.USER } },
    ]);
  });
});

describe('User.canAuthenticate', () => {
  it.each([
    [UserStatus.ACTIVE, true],
    [UserStatus.LOCKED, false],
    [UserStatus.SUSPENDED, false],
    [UserStatus.DELETED, false],
  ])('for a %s account is %s', (status, expected) => {
    const user = aUser();
    if (status === UserStatus.LOCKED) user.lock();
    if (status === UserStatus.SUSPENDED) user.suspend();
    if (status === UserStatus.DELETED) user.erase(later);
    expect(user.status).toBe(status);
    expect(user.canAuthenticate).toBe(expected);
  });

  it('is not changed by a temporary lockout, which leaves the status as it is', () => {
    const user = aTemporarilyLockedUser();
    expect(user.status).toBe(UserStatus.ACTIVE);
    expect(user.canAuthenticate).toBe(true);
  });
});

describe('a deleted account', () => {
  const changes: [string, (user: User) => void][] = [
    ['lock', (u) => u.lock('too late')],
    ['unlock', (u) => u.unlock()],
    ['suspend', (u) => u.suspend('too late')],
    ['reactivate', (u) => u.reactivate()],
    ['setRole', (u) => u.setRole(Role.ADMIN)],
  ];

  it.each(changes)('refuses %s with FORBIDDEN and stays deleted, recording nothing', (_name, change) => {
    const user = aUser();
    user.erase(later);
    user.events.pull();
    let thrown: unknown;
    try {
      change(user);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(ErrorCode.FORBIDDEN);
    expect((thrown as DomainError).message).toBe('A deleted account cannot be changed');
    expect(user.status).toBe(UserStatus.DELETED);
    expect(user.role).toBe(Role.USER);
    expect(user.isDeleted).toBe(true);
    expect(user.events.pull()).toEqual([]);
  });
});

describe('User.signedIn', () => {
  it.each(['password', 'mfa', 'wallet', 'passkey'] as const)(
    'via %s clears the failure count and the temporary lockout, and records the sign-in',
    (via) => {
      expect(User.signedIn('u1', via)).toEqual({
        clearsLockout: true,
        event: { type: 'login.succeeded', subjectId: 'u1', data: { via } },
      });
    },
  );

  it('via a trusted device keeps the lockout in force for everyone else but records the sign-in', () => {
    expect(User.signedIn('u1', 'trusted_device')).toEqual({
      clearsLockout: false,
      event: { type: 'login.succeeded', subjectId: 'u1', data: { via: 'trusted_device' } },
    });
  });
});

describe('User MFA', () => {
  it('enables TOTP with the encrypted secret, dropping the pending one', () => {
    const user = aUser();
    user.totpPendingSecret = 'v1:k1:pending';
    user.enableMfa(MfaMethod.TOTP, 'v1:k1:secret');
    expect(user.mfaSecret).toBe('v1:k1:secret');
    expect(user.totpPendingSecret).toBeUndefined();
    expect(user.totpEnabled).toBe(true);
    expect(user.smsMfaEnabled).toBe(false);
    expect(user.mfaEnabled).toBe(true);
    expect(user.mfaMethod).toBe(MfaMethod.TOTP);
    expect(user.mfaMethods).toEqual([MfaMethod.TOTP]);
    expect(user.events.pull()).toEqual([
      { type: 'mfa.enabled', subjectId: user.id, data: { method: MfaMethod.TOTP } },
    ]);
  });

  it('enables SMS without touching a TOTP secret', () => {
    const user = aUser();
    user.enableMfa(MfaMethod.SMS);
    expect(user.smsMfaEnabled).toBe(true);
    expect(user.totpEnabled).toBe(false);
    expect(user.mfaSecret).toBeUndefined();
    expect(user.mfaEnabled).toBe(true);
    expect(user.mfaMethod).toBe(MfaMethod.SMS);
    expect(user.mfaMethods).toEqual([MfaMethod.SMS]);
    expect(user.events.pull()).toEqual([
      { type: 'mfa.enabled', subjectId: user.id, data: { method: MfaMethod.SMS } },
    ]);
  });

  it('lists TOTP before SMS when both are on, whatever the order they were enabled in', () => {
    const user = aUser();
    user.enableMfa(MfaMethod.SMS);
    user.enableMfa(MfaMethod.TOTP, 'v1:k1:secret');
    expect(user.mfaMethods).toEqual([MfaMethod.TOTP, MfaMethod.SMS]);
    expect(user.mfaMethod).toBe(MfaMethod.TOTP);
  });

  it('disables every second factor and records which ones were on', () => {
    const user = aUser();
    user.enableMfa(MfaMethod.TOTP, 'v1:k1:secret');
    user.enableMfa(MfaMethod.SMS);
    user.totpPendingSecret = 'v1:k1:pending';
    user.totpLastStep = '58000000';
    user.events.pull();
    user.disableMfa();
    expect(user.totpEnabled).toBe(false);
    expect(user.smsMfaEnabled).toBe(false);
    expect(user.mfaSecret).toBeUndefined();
    expect(user.totpPendingSecret).toBeUndefined();
    expect(user.totpLastStep).toBeUndefined();
    expect(user.mfaEnabled).toBe(false);
    expect(user.mfaMethod).toBeUndefined();
    expect(user.mfaMethods).toEqual([]);
    expect(user.events.pull()).toEqual([
      { type: 'mfa.disabled', subjectId: user.id, data: { methods: [MfaMethod.TOTP, MfaMethod.SMS] } },
    ]);
  });
});

describe('User.erase', () => {
  it('replaces or removes every personal field and can never sign in again', () => {
    const user = aUser();
    user.setWallet('0x52908400098527886E0F7030069857D2E4169EE7', Blockchain.ETHEREUM);
    user.phoneVerifiedAt = now;
    user.enableMfa(MfaMethod.TOTP, 'v1:k1:secret');
    user.enableMfa(MfaMethod.SMS);
    user.totpPendingSecret = 'v1:k1:pending';
    user.setRole(Role.ADMIN);
    user.events.pull();

    user.erase(later);

    expect(user.username).toBe(`deleted-${user.id}`);
    expect(user.email).toBe(`deleted-${user.id}@deleted.invalid`);
    expect(user.phone).toBeUndefined();
    expect(user.phoneVerifiedAt).toBeUndefined();
    expect(user.walletAddress).toBeUndefined();
    expect(user.walletBlockchain).toBeUndefined();
    expect(user.mfaEnabled).toBe(false);
    expect(user.mfaMethod).toBeUndefined();
    expect(user.mfaSecret).toBeUndefined();
    expect(user.totpPendingSecret).toBeUndefined();
    expect(user.totpEnabled).toBe(false);
    expect(user.smsMfaEnabled).toBe(false);
    expect(user.mfaMethods).toEqual([]);
    expect(user.passwordHash).toBe('!');
    expect(user.role).toBe(Role.USER);
    expect(user.status).toBe(UserStatus.DELETED);
    expect(user.isDeleted).toBe(true);
    expect(user.canAuthenticate).toBe(false);
    expect(user.deletedAt).toEqual(later);
    expect(user.events.pull()).toEqual([{ type: 'user.deleted', subjectId: user.id, data: {} }]);
  });

  it('keeps the id, so audit entries still reference the row', () => {
    const user = aUser();
    const id = user.id;
    user.erase(later);
    expect(user.id).toBe(id);
    expect(user.username).not.toContain('ana');
    expect(user.email).not.toContain('example.com');
  });
});
