import type { DocumentNode } from 'graphql';
import type { Client } from 'pg';
import { ADMIN_CHANGES_LOCK_ID } from '../../src/identity/application/use-cases/administer-user';
import { runOperatorCommand } from '../support/command';
import { errorCode } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import {
  DeleteAccountDoc,
  LockUserDoc,
  LoginDoc,
  MeDoc,
  ReactivateUserDoc,
  SetUserRoleDoc,
  SuspendUserDoc,
  UnlockUserDoc,
  UserDoc,
  UsersDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

let app: TestApp;
let admin: Awaited<ReturnType<typeof anAdmin>>;
beforeAll(async () => {
  app = await startTestApp();
  admin = await anAdmin(app);
});
afterAll(() => app.close());

const asAdmin = () => bearer(admin.session.accessToken);
const unknownId = '00000000-0000-4000-8000-000000000000';

describe('authorization matrix', () => {
  const operations = (id: string) =>
    [
      ['user', () => app.gqlAny(UserDoc, { id })],
      ['users', () => app.gqlAny(UsersDoc, {})],
      ['lockUser', () => app.gqlAny(LockUserDoc, { id })],
      ['unlockUser', () => app.gqlAny(UnlockUserDoc, { id })],
      ['suspendUser', () => app.gqlAny(SuspendUserDoc, { id })],
      ['reactivateUser', () => app.gqlAny(ReactivateUserDoc, { id })],
      ['setUserRole', () => app.gqlAny(SetUserRoleDoc, { id, role: 'ADMIN' })],
    ] as const;

  it('answers UNAUTHENTICATED to anonymous callers and FORBIDDEN to users, for every admin operation', async () => {
    const target = await aUser(app);
    const user = await signIn(app, await aUser(app), 'user-device');
    for (const [name, run] of operations(target.id)) {
      expect([name, errorCode(await run())]).toEqual([name, 'UNAUTHENTICATED']);
    }
    const asUser = (doc: DocumentNode, vars: Record<string, unknown>) =>
      app.gqlAny(doc, vars, bearer(user.accessToken));
    const forUser = [
      asUser(UserDoc, { id: target.id }),
      asUser(UsersDoc, {}),
      asUser(LockUserDoc, { id: target.id }),
      asUser(UnlockUserDoc, { id: target.id }),
      asUser(SuspendUserDoc, { id: target.id }),
      asUser(ReactivateUserDoc, { id: target.id }),
      asUser(SetUserRoleDoc, { id: user.user.id, role: 'ADMIN' }),
    ];
    for (const res of await Promise.all(forUser)) expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND to an admin for unknown or malformed ids', async () => {
    for (const id of [unknownId, 'nope']) {
      for (const doc of [UserDoc, LockUserDoc, UnlockUserDoc, SuspendUserDoc, ReactivateUserDoc]) {
        expect(errorCode(await app.gqlAny(doc, { id }, asAdmin()))).toBe('NOT_FOUND');
      }
      expect(errorCode(await app.gql(SetUserRoleDoc, { id, role: 'USER' }, asAdmin()))).toBe('NOT_FOUND');
    }
  });
});

describe('admin user management', () => {
  it('reads a user by id', async () => {
    const target = await aUser(app);
    const res = await app.gql(UserDoc, { id: target.id }, asAdmin());
    expect(res.data?.user).toMatchObject({
      id: target.id,
      email: target.email,
      status: 'ACTIVE',
      role: 'USER',
    });
  });

  it('locks and suspends with immediate sign-out, and unlocks and reactivates', async () => {
    const target = await aUser(app);
    for (const [block, unblock, status] of [
      [LockUserDoc, UnlockUserDoc, 'LOCKED'],
      [SuspendUserDoc, ReactivateUserDoc, 'SUSPENDED'],
    ] as const) {
      const session = await signIn(app, target, 'target-phone');
      const res = await app.gqlAny(block, { id: target.id, reason: 'test' }, asAdmin());
      expect(res.data).toMatchObject({ [block === LockUserDoc ? 'lockUser' : 'suspendUser']: { status } });
      expect(errorCode(await app.gql(MeDoc, undefined, bearer(session.accessToken)))).toBe('UNAUTHENTICATED');
      const login = await app.gql(LoginDoc, {
        input: { identifier: target.email, password: target.password, deviceId: 'p' },
      });
      expect(errorCode(login)).toBe('INVALID_CREDENTIALS');
      const lifted = await app.gqlAny(unblock, { id: target.id }, asAdmin());
      expect(lifted.errors).toBeUndefined();
      expect(lifted.data).toEqual({
        [unblock === UnlockUserDoc ? 'unlockUser' : 'reactivateUser']: { id: target.id, status: 'ACTIVE' },
      });
      const again = await signIn(app, target, 'target-phone');
      expect(again.user).toMatchObject({ id: target.id, status: 'ACTIVE' });
      expect((await app.gql(MeDoc, undefined, bearer(again.accessToken))).data?.me.id).toBe(target.id);
    }
  });

  it('changes roles, and the new role applies on the next request', async () => {
    const target = await aUser(app);
    const session = await signIn(app, target, 'promoted');
    expect(errorCode(await app.gql(UsersDoc, {}, bearer(session.accessToken)))).toBe('FORBIDDEN');
    const res = await app.gql(SetUserRoleDoc, { id: target.id, role: 'ADMIN' }, asAdmin());
    expect(res.data?.setUserRole.role).toBe('ADMIN');
    expect(errorCode(await app.gql(UsersDoc, {}, bearer(session.accessToken)))).toBeUndefined();
    await app.gql(SetUserRoleDoc, { id: target.id, role: 'USER' }, asAdmin());
  });

  it('does not let the last admin delete their account, and lets an admin who is not the last', async () => {
    const solo = await startTestApp();
    try {
      const only = await anAdmin(solo);
      const deleting = (admin: typeof only) =>
        solo.gql(DeleteAccountDoc, { password: admin.user.password }, bearer(admin.session.accessToken));
      expect(errorCode(await deleting(only))).toBe('FORBIDDEN');
      const [kept] = await solo.orm.em
        .getConnection()
        .execute('select status, role from users where id = ?', [only.user.id]);
      expect(kept).toEqual({ status: 'ACTIVE', role: 'ADMIN' });
      await anAdmin(solo, 'second-admin');
      const deleted = await deleting(only);
      expect(deleted.errors).toBeUndefined();
      expect(deleted.data?.deleteAccount).toBe(true);
    } finally {
      await solo.close();
    }
  });

  it('does not let the last admin demote, suspend or lock themselves', async () => {
    const solo = await startTestApp();
    try {
      const only = await anAdmin(solo);
      const auth = bearer(only.session.accessToken);
      for (const res of [
        await solo.gql(SetUserRoleDoc, { id: only.user.id, role: 'USER' }, auth),
        await solo.gql(SuspendUserDoc, { id: only.user.id }, auth),
        await solo.gql(LockUserDoc, { id: only.user.id }, auth),
      ]) {
        expect(errorCode(res)).toBe('FORBIDDEN');
      }
      const second = await anAdmin(solo, 'second-admin');
      const demoted = await solo.gql(SetUserRoleDoc, { id: only.user.id, role: 'USER' }, auth);
      expect(demoted.errors).toBeUndefined();
      expect(demoted.data?.setUserRole).toEqual({ id: only.user.id, role: 'USER' });
      expect(second.session.user).toMatchObject({ id: second.user.id, role: 'ADMIN' });
      expect(errorCode(await solo.gql(UsersDoc, {}, auth))).toBe('FORBIDDEN');
      expect(errorCode(await solo.gql(UsersDoc, {}, bearer(second.session.accessToken)))).toBeUndefined();
    } finally {
      await solo.close();
    }
  });
});

/** Whether a request of this database waits for the lock that serialises admins' changes now. */
async function waitsForAdminChanges(client: Client): Promise<boolean> {
  // The holder is inside a transaction, which would otherwise keep seeing its first snapshot.
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where a.datname = current_database() and l.locktype = 'advisory' and l.objid = $1 and not l.granted`,
    [ADMIN_CHANGES_LOCK_ID],
  );
  return rows[0].n > 0;
}

describe('admin changes at the same time', () => {
  it('leaves one admin, never none, when two admins demote each other at once', async () => {
    const pair = await startTestApp();
    try {
      const a = await anAdmin(pair, 'admin-a');
      const b = await anAdmin(pair, 'admin-b');
      // A's demotion of B reads A an admin, then waits on B's row, held here.
      const holder = await holdRowLock(pair.databaseUrl, 'select 1 from users where id = $1 for update', [
        b.user.id,
      ]);
      let released = false;
      try {
        const aDemotesB = pair.gql(
          SetUserRoleDoc,
          { id: b.user.id, role: 'USER' },
          bearer(a.session.accessToken),
        );
        await waitForLockWaits(holder.client, 'update "users"');
        // Meanwhile B demotes A: it must not act on A's and its own roles as they were before A's change.
        let answered = false;
        const bDemotesA = pair
          .gql(SetUserRoleDoc, { id: a.user.id, role: 'USER' }, bearer(b.session.accessToken))
          .then((res) => {
            answered = true;
            return res;
          });
        await waitUntil(
          'B demoting A answered or waiting for A',
          async () => answered || (await waitsForAdminChanges(holder.client)),
        );
        released = true;
        await holder.release();
        expect((await aDemotesB).data?.setUserRole).toEqual({ id: b.user.id, role: 'USER' });
        expect(errorCode(await bDemotesA)).toBe('FORBIDDEN');
      } finally {
        if (!released) await holder.release();
      }
      const admins = await pair.orm.em
        .getConnection()
        .execute<{ id: string }[]>("select id from users where role = 'ADMIN' and status = 'ACTIVE'");
      expect(admins.map((r) => r.id)).toEqual([a.user.id]);
    } finally {
      await pair.close();
    }
  });

  it("ends a user's sessions only after taking the account's row, which a refresh takes first too", async () => {
    const user = await aUser(app);
    await signIn(app, user);
    // A refresh's statement holds the account FOR SHARE, then wants its session.
    const refreshing = await holdRowLock(app.databaseUrl, 'select 1 from users where id = $1 for share', [
      user.id,
    ]);
    let released = false;
    try {
      const suspending = app.gql(SuspendUserDoc, { id: user.id }, asAdmin());
      await waitForLockWaits(refreshing.client, 'select 1 from users where id');
      // The suspension waits for the account before it holds any session: the refresh can finish.
      const sessions = await refreshing.client.query(
        'select id from sessions where user_id = $1 and revoked_at is null for update nowait',
        [user.id],
      );
      expect(sessions.rows).toHaveLength(1);
      released = true;
      await refreshing.release();
      expect((await suspending).data?.suspendUser.status).toBe('SUSPENDED');
    } finally {
      if (!released) await refreshing.release();
    }
  });
});

describe('users list', () => {
  it('paginates with totals and validates page and pageSize', async () => {
    const solo = await startTestApp();
    try {
      const boss = await anAdmin(solo);
      for (let i = 0; i < 4; i++) await aUser(solo);
      const auth = bearer(boss.session.accessToken);
      const page2 = await solo.gql(UsersDoc, { page: 2, pageSize: 2 }, auth);
      expect(page2.data?.users).toMatchObject({ page: 2, pageSize: 2, totalItems: 5, totalPages: 3 });
      expect(page2.data?.users.items).toHaveLength(2);
      const past = await solo.gql(UsersDoc, { page: 4, pageSize: 2 }, auth);
      expect(past.data?.users.items).toEqual([]);
      for (const [vars, field] of [
        [{ page: 0 }, 'page'],
        [{ pageSize: 0 }, 'pageSize'],
        [{ pageSize: 101 }, 'pageSize'],
      ] as const) {
        const res = await solo.gql(UsersDoc, vars, auth);
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
      expect((await solo.gql(UsersDoc, { pageSize: 100 }, auth)).data?.users.pageSize).toBe(100);
    } finally {
      await solo.close();
    }
  });

  it('filters by status, role and a literal email or username prefix', async () => {
    const tag = `zq${Date.now().toString(36)}`;
    const a = await aUser(app, { username: `${tag}_Alpha`, email: `alpha.${tag}@example.com` });
    await aUser(app, { username: `${tag}_beta`, email: `beta.${tag}@example.com` });
    await app.gql(SuspendUserDoc, { id: a.id }, asAdmin());
    const byName = await app.gql(UsersDoc, { filter: { search: tag.toUpperCase() } }, asAdmin());
    expect(byName.data?.users.totalItems).toBe(2);
    const byEmail = await app.gql(UsersDoc, { filter: { search: `ALPHA.${tag}` } }, asAdmin());
    expect(byEmail.data?.users.items.map((u) => u.id)).toEqual([a.id]);
    const suspended = await app.gql(UsersDoc, { filter: { search: tag, status: 'SUSPENDED' } }, asAdmin());
    expect(suspended.data?.users.items.map((u) => u.id)).toEqual([a.id]);
    const wildcard = await app.gql(UsersDoc, { filter: { search: '%' } }, asAdmin());
    expect(wildcard.data?.users.totalItems).toBe(0);
    const admins = await app.gql(UsersDoc, { filter: { role: 'ADMIN' } }, asAdmin());
    expect(admins.data?.users.items.every((u) => u.role === 'ADMIN')).toBe(true);
  });

  it('loads a page of 100 users with a constant number of SQL statements', async () => {
    const statements: string[] = [];
    const counted = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      const boss = await anAdmin(counted);
      await counted.orm.em.getConnection().execute(
        `insert into users (id, username, username_skeleton, email, password_hash, role, status, mfa_enabled,
                            failed_login_attempts, password_changed_at, created_at, updated_at)
         select gen_random_uuid(), 'bulk' || g, translate('bulk' || g, '01', 'ol'), 'bulk' || g || '@example.com', '!',
                'USER', 'ACTIVE', false, 0, now(), now(), now()
         from generate_series(1, 150) g`,
      );
      statements.length = 0;
      const res = await counted.gql(UsersDoc, { pageSize: 100 }, bearer(boss.session.accessToken));
      expect(res.data?.users.items).toHaveLength(100);
      // Authentication (1) + page (1) + count (1).
      const sql = statements.filter((s) => /\b(select|insert|update|delete)\b/i.test(s));
      expect(sql.length).toBeGreaterThanOrEqual(2);
      expect(sql.length).toBeLessThanOrEqual(3);
    } finally {
      await counted.close();
    }
  });
});

describe('npm run user:role', () => {
  it('makes a user an admin by email or username, and refuses unknown users and roles', async () => {
    const target = await aUser(app);
    const session = await signIn(app, target, 'to-be-admin');
    const ok = runOperatorCommand(app, 'user-role', [target.username.toUpperCase(), 'ADMIN']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('is now ADMIN');
    expect(errorCode(await app.gql(UsersDoc, {}, bearer(session.accessToken)))).toBeUndefined();
    expect(runOperatorCommand(app, 'user-role', [target.email, 'USER']).status).toBe(0);
    expect(runOperatorCommand(app, 'user-role', ['nobody@example.com', 'ADMIN']).status).toBe(1);
    expect(runOperatorCommand(app, 'user-role', [target.email, 'ROOT']).status).toBe(2);
  });
});
