import { Role, UserStatus } from '../../src/identity/domain/enums';
import { User } from '../../src/identity/domain/user.entity';
import {
  type AdminAction,
  applyAdminAction,
  assertKeepsAnAdmin,
  disablesAdmin,
} from '../../src/identity/domain/user-administration';
import { DomainError, ErrorCode } from '../../src/kernel/errors';

const anAccount = (role: Role) => {
  const user = new User({
    username: 'ndeshi',
    email: 'ndeshi@example.com',
    passwordHash: 'h',
    now: new Date(),
  });
  user.role = role;
  user.events.pull();
  return user;
};

const takingAway: AdminAction[] = [
  { kind: 'lock', reason: 'test' },
  { kind: 'suspend' },
  { kind: 'setRole', role: Role.USER },
];
const harmless: AdminAction[] = [
  { kind: 'unlock' },
  { kind: 'reactivate' },
  { kind: 'setRole', role: Role.ADMIN },
];

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('the service always keeps an admin', () => {
  it.each(takingAway)('counts $kind as taking an admin account out of use', (action) => {
    expect(disablesAdmin(anAccount(Role.ADMIN), action)).toBe(true);
    expect(disablesAdmin(anAccount(Role.USER), action)).toBe(false);
  });

  it.each(harmless)('does not count $kind', (action) => {
    expect(disablesAdmin(anAccount(Role.ADMIN), action)).toBe(false);
  });

  it.each(takingAway)('refuses the last active admin doing $kind to themselves', (action) => {
    const admin = anAccount(Role.ADMIN);
    const err = refusal(() => assertKeepsAnAdmin(admin, action, admin.id, 0));
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: ErrorCode.FORBIDDEN });
  });

  it('lets an admin step down when another active admin remains, and act on other admins', () => {
    const admin = anAccount(Role.ADMIN);
    const other = anAccount(Role.ADMIN);
    const demote: AdminAction = { kind: 'setRole', role: Role.USER };
    expect(refusal(() => assertKeepsAnAdmin(admin, demote, admin.id, 1))).toBeUndefined();
    expect(refusal(() => assertKeepsAnAdmin(other, demote, admin.id, 0))).toBeUndefined();
  });
});

describe('applying an admin action', () => {
  it('ends the sessions of a locked or suspended account only', () => {
    const locked = anAccount(Role.USER);
    expect(applyAdminAction(locked, { kind: 'lock', reason: 'fraud' })).toBe(true);
    expect(locked.status).toBe(UserStatus.LOCKED);
    const suspended = anAccount(Role.USER);
    expect(applyAdminAction(suspended, { kind: 'suspend' })).toBe(true);
    expect(suspended.status).toBe(UserStatus.SUSPENDED);
    expect(applyAdminAction(locked, { kind: 'unlock' })).toBe(false);
    expect(locked.status).toBe(UserStatus.ACTIVE);
    expect(applyAdminAction(suspended, { kind: 'reactivate' })).toBe(false);
    expect(suspended.status).toBe(UserStatus.ACTIVE);
    const promoted = anAccount(Role.USER);
    expect(applyAdminAction(promoted, { kind: 'setRole', role: Role.ADMIN })).toBe(false);
    expect(promoted.role).toBe(Role.ADMIN);
    expect(promoted.events.pull()).toEqual([
      { type: 'user.role_changed', subjectId: promoted.id, data: { from: Role.USER, to: Role.ADMIN } },
    ]);
  });
});
