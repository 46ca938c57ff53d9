import { parse } from 'graphql';
import { auditOf } from '../support/audit';
import { loginOutcome, meCode } from '../support/errors';
import { aRegistration, aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { LoginDoc } from '../support/operations';
import { preparedOnPool } from '../support/prepared';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } });
});
afterAll(() => app.close());

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> =>
  app.orm.em.getConnection().execute(query, params);

type Creds = { email: string; password: string };
const attempt = (
  user: Creds,
  password: string,
  opts: { deviceId: string; trust?: string | null; ip?: string },
) =>
  app.gql(
    LoginDoc,
    { input: { identifier: user.email, password, deviceId: opts.deviceId, deviceTrustToken: opts.trust } },
    opts.ip ? { 'x-forwarded-for': opts.ip } : {},
  );

describe('completing a sign-in', () => {
  it('replaces the live session on the same device, and audits both sessions and the sign-in', async () => {
    const user = await aUser(app);
    const first = await signIn(app, user, 'phone');
    const second = await signIn(app, user, 'phone');

    const sessions = await sql<{ id: string; revoked_reason: string | null }>(
      'select id, revoked_reason from sessions where user_id = ? order by created_at, revoked_reason nulls last',
      [user.id],
    );
    expect(sessions).toEqual([
      { id: first.session.id, revoked_reason: 'replaced' },
      { id: second.session.id, revoked_reason: null },
    ]);
    expect(await meCode(app, first.accessToken)).toBe('UNAUTHENTICATED');
    expect(await meCode(app, second.accessToken)).toBe('OK');

    const all = await auditOf(app, user.id);
    // The chain in the order things happened: the account, then each sign-in and its session, the
    // replaced session ending between the second sign-in and its new session.
    expect(all.map((e) => e.type)).toEqual([
      'user.registered',
      'login.succeeded',
      'session.created',
      'login.succeeded',
      'session.revoked',
      'session.created',
    ]);
    const entries = all.filter((e) => e.type !== 'user.registered');
    const of = (type: string) => entries.filter((e) => e.type === type).map((e) => JSON.parse(e.data));
    expect(of('login.succeeded')).toEqual([{ via: 'password' }, { via: 'password' }]);
    expect(of('session.created')).toEqual([
      { sessionId: first.session.id, deviceId: 'phone' },
      { sessionId: second.session.id, deviceId: 'phone' },
    ]);
    expect(of('session.revoked')).toEqual([{ sessionId: first.session.id, reason: 'replaced' }]);
    for (const entry of entries) {
      expect(entry.actor_id).toBe(user.id);
      expect(entry.subject_id).toBe(user.id);
      expect(entry.request_id).toEqual(expect.any(String));
    }
  });

  it('audits a sign-up in the order it happened: the account, then its sign-in and session', async () => {
    const input = { ...aRegistration(), deviceId: 'first-phone' };
    const res = await app.gqlAny(
      parse('mutation SignUp($input: SignUpInput!) { signUp(input: $input) { user { id } } }'),
      { input },
    );
    expect(res.errors).toBeUndefined();
    const userId = (res.data as { signUp: { user: { id: string } } }).signUp.user.id;
    const types = (await auditOf(app, userId)).map((e) => e.type);
    expect(types.indexOf('user.registered')).toBe(0);
    expect(types.slice(-2)).toEqual(['login.succeeded', 'session.created']);
  });

  it("through a trusted device leaves a lockout made elsewhere in force, and renews the device's own budget", async () => {
    const user = await aUser(app);
    const { deviceTrustToken } = await signIn(app, user, 'tablet');
    // Two of the device's three tries spent, then a success: the device's count starts again.
    for (let i = 0; i < 2; i++)
      expect(
        await loginOutcome(attempt(user, 'not it', { deviceId: 'tablet', trust: deviceTrustToken })),
      ).toBe('INVALID_CREDENTIALS');
    const renewed = await attempt(user, user.password, { deviceId: 'tablet', trust: deviceTrustToken });
    const trust = renewed.data?.login.__typename === 'AuthPayload' ? renewed.data.login.deviceTrustToken : '';
    expect(trust).toEqual(expect.any(String));
    for (let i = 0; i < 2; i++)
      expect(await loginOutcome(attempt(user, 'not it', { deviceId: 'tablet', trust }))).toBe(
        'INVALID_CREDENTIALS',
      );
    const again = await attempt(user, user.password, { deviceId: 'tablet', trust });
    const latest = again.data?.login.__typename === 'AuthPayload' ? again.data.login.deviceTrustToken : '';
    expect(latest).toEqual(expect.any(String));

    // Guesses from elsewhere count against the account: a trusted device's sign-in keeps their
    // count, so the next guesses still lock it, and keeps the lock, which the device outlasts.
    const lockState = () =>
      sql('select failed_login_attempts, lock_count, locked_until from users where id = ?', [user.id]);
    const guess = (i: number) =>
      loginOutcome(attempt(user, 'a guess', { deviceId: 'elsewhere', ip: `198.51.100.${i + 1}` }));
    for (let i = 0; i < 2; i++) expect(await guess(i)).toBe('INVALID_CREDENTIALS');
    const counted = await lockState();
    expect(counted).toEqual([expect.objectContaining({ failed_login_attempts: 2, locked_until: null })]);
    const during = await attempt(user, user.password, { deviceId: 'tablet', trust: latest });
    const next = during.data?.login.__typename === 'AuthPayload' ? during.data.login.deviceTrustToken : '';
    expect(next).toEqual(expect.any(String));
    expect(await lockState()).toEqual(counted);
    for (let i = 2; i < 5; i++) expect(await guess(i)).toBe('INVALID_CREDENTIALS');
    const locked = await lockState();
    expect(locked[0].locked_until).not.toBeNull();
    const last = await attempt(user, user.password, { deviceId: 'tablet', trust: next });
    expect(last.errors ?? last.data?.login.__typename).toBe('AuthPayload');
    expect(await lockState()).toEqual(locked);
    expect(await loginOutcome(attempt(user, user.password, { deviceId: 'new-laptop' }))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('gives no session to an account suspended while its password was being checked', async () => {
    const user = await aUser(app);
    // The account is suspended by the very statement that reserves the sign-in's try: after the
    // account was read and before the sign-in completes, as an admin's suspension could land.
    await sql(`create or replace function suspend_on_try() returns trigger language plpgsql as $$
      begin
        if new.failed_login_attempts > old.failed_login_attempts then new.status := 'SUSPENDED'; end if;
        return new;
      end $$`);
    await sql(
      `create trigger suspend_on_try before update on users for each row
         when (new.id = '${user.id}'::uuid) execute function suspend_on_try()`,
    );
    try {
      expect(await loginOutcome(attempt(user, user.password, { deviceId: 'phone' }))).toBe(
        'INVALID_CREDENTIALS',
      );
    } finally {
      await sql('drop trigger suspend_on_try on users');
    }
    expect(await sql('select id from sessions where user_id = ?', [user.id])).toEqual([]);
    expect(await sql('select id from device_trusts where user_id = ?', [user.id])).toEqual([]);
    const [account] = await sql<{ status: string; failed_login_attempts: number }>(
      'select status, failed_login_attempts from users where id = ?',
      [user.id],
    );
    // The password was right: its try went back.
    expect(account).toEqual({ status: 'SUSPENDED', failed_login_attempts: 0 });
    const entries = await auditOf(app, user.id);
    expect(entries.map((e) => e.type)).not.toContain('login.succeeded');
    const failed = entries.filter((e) => e.type === 'login.failed').map((e) => JSON.parse(e.data));
    expect(failed).toEqual([{ reason: 'account_not_active', deviceId: 'phone' }]);
  });

  it('writes the sign-in in one prepared statement inside its transaction', async () => {
    const statements: string[] = [];
    const counted = await startTestApp({ env: { WORKER: 'off' }, onQuery: (q) => statements.push(q) });
    try {
      const user = await aUser(counted);
      await signIn(counted, user, 'phone');
      statements.length = 0;
      await signIn(counted, user, 'phone');
      const sent = statements.map((q) =>
        q
          .replace(/^\[query\] /, '')
          .replace(/\s+/g, ' ')
          .slice(0, 60),
      );
      const begin = sent.findIndex((q) => /^begin/i.test(q));
      const commit = sent.findIndex((q) => /^commit/i.test(q));
      expect(sent.slice(begin + 1, commit)).toEqual([
        expect.stringMatching(/^with account as \( update users/),
      ]);
      // Prepared (a direct connection allows it) on the connections of the transactions that ran it.
      expect(
        await preparedOnPool(counted, 'with account as', 'insert into device_trusts'),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await counted.close();
    }
  });

  it('completes when another sign-in on the same device committed a session while it waited', async () => {
    const user = await aUser(app);
    const first = await signIn(app, user, 'tablet');
    // Through a trusted device the account's row is first written by the completing statement,
    // which then waits for it here: its snapshot predates the session committed meanwhile.
    const holder = await holdRowLock(app.databaseUrl, 'select 1 from users where id = $1 for update', [
      user.id,
    ]);
    let released = false;
    try {
      const signingIn = attempt(user, user.password, { deviceId: 'tablet', trust: first.deviceTrustToken });
      await waitForLockWaits(holder.client, 'with account as');
      await holder.client.query(
        `update sessions set revoked_at = now(), revoked_reason = 'replaced'
          where user_id = $1 and device_id = 'tablet' and revoked_at is null`,
        [user.id],
      );
      await holder.client.query(
        `insert into sessions (id, user_id, device_id, refresh_token_hash, generation, created_at,
                               last_used_at, expires_at, absolute_expires_at, refresh_count)
         values (gen_random_uuid(), $1, 'tablet', 'meanwhile', 0, now(), now(),
                 now() + interval '1 day', now() + interval '30 days', 0)`,
        [user.id],
      );
      await holder.release();
      released = true;
      const res = await signingIn;
      expect(res.errors).toBeUndefined();
      expect(res.data?.login.__typename).toBe('AuthPayload');
    } finally {
      if (!released) await holder.release();
    }
    const live = await sql<{ refresh_token_hash: string }>(
      `select refresh_token_hash from sessions where user_id = ? and device_id = 'tablet' and revoked_at is null`,
      [user.id],
    );
    expect(live).toHaveLength(1);
    expect(live[0].refresh_token_hash).not.toBe('meanwhile');
  });
});
