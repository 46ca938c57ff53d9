import { auditOf, linkAudit } from '../support/audit';
import { testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import {
  ChangePasswordDoc,
  DeleteAccountDoc,
  LockUserDoc,
  LoginDoc,
  LogoutDoc,
  ReactivateUserDoc,
  RefreshDoc,
  RevokeAllSessionsDoc,
  SetUserRoleDoc,
  SuspendUserDoc,
  UnlockUserDoc,
  UpdateProfileDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

describe('every security event lands in the audit trail', () => {
  it('records registration, sign-ins, failures with a reason, refresh, reuse, revocation and logout', async () => {
    const user = await aUser(app);
    const failed = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: 'wrong password here', deviceId: 'p' },
    });
    expect(errorCode(failed)).toBe('INVALID_CREDENTIALS');
    const phone = await signIn(app, user, 'phone');
    const laptop = await signIn(app, user, 'laptop');
    const first = await app.gql(RefreshDoc, {
      input: { refreshToken: phone.refreshToken, deviceId: 'phone' },
    });
    expect(first.errors).toBeUndefined();
    expect(first.data?.refresh.session.id).toBe(phone.session.id);
    expect(first.data?.refresh.refreshToken).not.toBe(phone.refreshToken);
    clock.advance(11);
    const replay = await app.gql(RefreshDoc, {
      input: { refreshToken: phone.refreshToken, deviceId: 'phone' },
    });
    expect(errorCode(replay)).toBe('REFRESH_TOKEN_REUSED');
    const logout = await app.gql(LogoutDoc, undefined, bearer(laptop.accessToken));
    expect(logout.data?.logout).toBe(true);

    const rows = await auditOf(app, user.id);
    expect(rows.map((r) => r.type)).toEqual([
      'user.registered',
      'login.failed',
      'login.succeeded',
      'session.created',
      'login.succeeded',
      'session.created',
      'session.refreshed',
      'refresh_token.reused',
      'session.revoked',
      'session.revoked',
    ]);
    expect(JSON.parse(rows[1].data)).toEqual({ reason: 'bad_password', deviceId: 'p' });
    expect(JSON.parse(rows[8].data)).toMatchObject({ reason: 'reuse_detected', sessionId: phone.session.id });
    expect(JSON.parse(rows[9].data)).toMatchObject({ reason: 'logout', sessionId: laptop.session.id });
    expect(rows[2].client_ip).toBe('127.0.0.1');
    expect(rows[2].request_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const row of rows) {
      expect(row.data).not.toContain(user.password);
      expect(row.data).not.toContain(user.email);
      expect(row.data).not.toContain(phone.refreshToken);
    }
  });

  it('records a failed sign-in for an unknown identifier without a subject', async () => {
    const email = `ghost.${Date.now()}@example.com`;
    await app.gql(LoginDoc, { input: { identifier: email, password: 'whatever it is', deviceId: 'g' } });
    await linkAudit(app);
    const rows = await app.orm.em
      .getConnection()
      .execute(`select * from audit_log where type = 'login.failed' and data like '%unknown_user%'`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0].subject_id).toBeNull();
    expect(JSON.stringify(rows)).not.toContain(email);
  });

  it('records the lockout after repeated failures', async () => {
    const user = await aUser(app);
    for (let i = 0; i < 5; i++) {
      await app.gql(LoginDoc, {
        input: { identifier: user.email, password: 'wrong password here', deviceId: 'x' },
      });
    }
    const rows = await auditOf(app, user.id);
    const locked = rows.find((r) => r.type === 'user.locked');
    expect(JSON.parse(locked?.data ?? '{}')).toMatchObject({ by: 'failed_logins' });
  });

  it('records profile, password, account and admin changes with the acting admin', async () => {
    const admin = await anAdmin(app);
    const user = await aUser(app);
    const s = await signIn(app, user, 'a');
    await signIn(app, user, 'b');
    const auth = bearer(s.accessToken);
    await app.gql(UpdateProfileDoc, { input: { phone: '0812345678' } }, auth);
    await app.gql(
      ChangePasswordDoc,
      { currentPassword: user.password, newPassword: 'a brand new passphrase' },
      auth,
    );
    await app.gql(RevokeAllSessionsDoc, { keepCurrent: true }, auth);
    const asAdmin = bearer(admin.session.accessToken);
    for (const [doc, vars] of [
      [LockUserDoc, { id: user.id, reason: 'fraud check' }],
      [UnlockUserDoc, { id: user.id }],
      [SuspendUserDoc, { id: user.id }],
      [ReactivateUserDoc, { id: user.id }],
      [SetUserRoleDoc, { id: user.id, role: 'ADMIN' }],
    ] as const) {
      await app.gqlAny(doc, vars, asAdmin);
    }
    const again = await signIn(app, { email: user.email, password: 'a brand new passphrase' }, 'c');
    await app.gql(DeleteAccountDoc, { password: 'a brand new passphrase' }, bearer(again.accessToken));

    const rows = await auditOf(app, user.id);
    const byType = (t: string) => rows.filter((r) => r.type === t);
    expect(JSON.parse(byType('profile.changed')[0].data)).toEqual({ fields: ['phone'] });
    expect(byType('user.password_changed')).toHaveLength(1);
    expect(JSON.parse(byType('sessions.revoked')[0].data)).toEqual({ reason: 'password_changed', count: 1 });
    const locked = byType('user.locked')[0];
    expect(locked.actor_id).toBe(admin.user.id);
    expect(JSON.parse(locked.data)).toEqual({ by: 'admin', reason: 'fraud check' });
    for (const t of [
      'user.unlocked',
      'user.suspended',
      'user.reactivated',
      'user.role_changed',
      'user.deleted',
    ]) {
      expect([t, byType(t).length]).toEqual([t, 1]);
    }
    expect(JSON.parse(byType('user.role_changed')[0].data)).toEqual({ from: 'USER', to: 'ADMIN' });
    expect(byType('user.deleted')[0].actor_id).toBe(user.id);
    expect(byType('sessions.revoked').map((r) => JSON.parse(r.data).reason)).toContain('account_disabled');
  });
});

describe('AUDIT_LOG_ENABLED=false', () => {
  it('records nothing', async () => {
    const off = await startTestApp({ env: { AUDIT_LOG_ENABLED: 'false' } });
    try {
      await signIn(off, await aUser(off));
      const [{ count }] = await off.orm.em
        .getConnection()
        .execute('select (select count(*) from audit_log) + (select count(*) from audit_pending) as count');
      expect(Number(count)).toBe(0);
    } finally {
      await off.close();
    }
  });
});
