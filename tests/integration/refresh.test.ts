import { randomBytes } from 'node:crypto';
import { createFieldEncryption } from '../../src/adapters/crypto/field-encryption';
import { createSigningKeys, KEY_CACHE_SECONDS } from '../../src/adapters/tokens/signing-keys';
import { canonicalJson } from '../../src/identity/domain/audit-canonical';
import { Session } from '../../src/identity/domain/session.entity';
import { verifyChain } from '../../src/identity/persistence/verify-chain';
import { auditOf } from '../support/audit';
import { testClock } from '../support/clock';
import { errorCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { MeDoc, RefreshDoc } from '../support/operations';
import { preparedOnPool } from '../support/prepared';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { decodeSegment, JWT_FORMAT, REFRESH_TOKEN_FORMAT } from '../support/tokens';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const refresh = (refreshToken: string | null | undefined, deviceId = 'device-1') =>
  app.gql(RefreshDoc, { input: { refreshToken, deviceId } });

describe('refresh', () => {
  it('rotates the refresh token and issues a working access token', async () => {
    const login = await signIn(app, await aUser(app));
    clock.advance(60);
    const res = await refresh(login.refreshToken);
    const next = res.data?.refresh;
    expect(res.errors).toBeUndefined();
    expect(next?.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
    expect(next?.accessToken).toMatch(JWT_FORMAT);
    expect(next?.refreshToken).not.toBe(login.refreshToken);
    expect(next?.session.id).toBe(login.session.id);
    // The account and the session, as the answer shows them, read from the rotated row.
    expect(next?.user).toEqual(login.user);
    expect(next?.session).toEqual({
      ...login.session,
      current: true,
      lastUsedAt: clock.now().toISOString(),
      expiresAt: next?.refreshTokenExpiresAt,
    });
    expect(new Date(next?.refreshTokenExpiresAt ?? 0).getTime()).toBeGreaterThan(
      new Date(login.refreshTokenExpiresAt).getTime(),
    );
    const me = await app.gql(MeDoc, undefined, bearer(next?.accessToken ?? ''));
    expect(me.data?.me.id).toBe(login.user.id);
  });

  it('stores only a SHA-256 hash of the refresh token', async () => {
    const login = await signIn(app, await aUser(app));
    const rows = await app.orm.em
      .getConnection()
      .execute('select * from sessions where id = ?', [login.session.id]);
    expect(JSON.stringify(rows)).not.toContain(login.refreshToken);
    expect(rows[0].refresh_token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('revokes the session when a rotated-away token comes back after the grace window, leaving other devices alone', async () => {
    const user = await aUser(app);
    const laptop = await signIn(app, user, 'laptop');
    const phone = await signIn(app, user, 'device-1');
    let latest = phone;
    for (let i = 0; i < 3; i++) {
      clock.advance(30);
      const res = await refresh(latest.refreshToken);
      latest = res.data?.refresh as typeof latest;
    }
    clock.advance(11);
    const replay = await refresh(phone.refreshToken);
    expect(replay.errors?.[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
    const newest = await refresh(latest.refreshToken);
    expect(newest.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const me = await app.gql(MeDoc, undefined, bearer(latest.accessToken));
    expect(me.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const other = await app.gql(MeDoc, undefined, bearer(laptop.accessToken));
    expect(other.data?.me.id).toBe(user.id);
  });

  it('hands the immediate predecessor the same successor inside the grace window, and revokes just after it', async () => {
    const login = await signIn(app, await aUser(app));
    const first = await refresh(login.refreshToken);
    clock.advance(10);
    const second = await refresh(login.refreshToken);
    expect(second.data?.refresh.refreshToken).toBe(first.data?.refresh.refreshToken);
    clock.advance(1);
    const late = await refresh(login.refreshToken);
    expect(late.errors?.[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('gives ten parallel refreshes of one token one live successor and no revocation', async () => {
    const login = await signIn(app, await aUser(app));
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(login.refreshToken)));
    const tokens = new Set(results.map((r) => r.data?.refresh.refreshToken));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(tokens.size).toBe(1);
    const [successor] = [...tokens];
    expect(successor).toMatch(REFRESH_TOKEN_FORMAT);
    const next = await refresh(successor as string);
    expect(next.errors).toBeUndefined();
    expect(next.data?.refresh.session.id).toBe(login.session.id);
    expect(next.data?.refresh.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
    expect(next.data?.refresh.refreshToken).not.toBe(successor);
    const session = await app.orm.em.fork().findOneOrFail(Session, login.session.id);
    expect(session.revokedAt).toBeUndefined();
    expect(session.generation).toBe(2);
  });

  it('refuses a token presented with another device id', async () => {
    const login = await signIn(app, await aUser(app), 'tablet');
    const res = await refresh(login.refreshToken, 'someone-else');
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const own = await refresh(login.refreshToken, 'tablet');
    expect(own.errors).toBeUndefined();
    expect(own.data?.refresh.session).toMatchObject({ id: login.session.id, deviceId: 'tablet' });
    expect(own.data?.refresh.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
    expect(own.data?.refresh.refreshToken).not.toBe(login.refreshToken);
  });

  it('refuses an unknown token and a session past its idle lifetime', async () => {
    expect((await refresh('not-a-token')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const login = await signIn(app, await aUser(app));
    clock.advance(14 * 86400 + 1);
    expect((await refresh(login.refreshToken)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('revokes when a token older than the immediate predecessor comes back, even inside the grace window', async () => {
    const login = await signIn(app, await aUser(app));
    const first = await refresh(login.refreshToken);
    await refresh(first.data?.refresh.refreshToken as string);
    const replay = await refresh(login.refreshToken);
    expect(replay.errors?.[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('extends the idle expiry at each refresh, never past the absolute lifetime', async () => {
    const start = clock.now();
    const login = await signIn(app, await aUser(app));
    const day = (n: number) => new Date(start.getTime() + n * 86400_000);
    let latest = login;
    // Day 46 reaches the absolute lifetime (day 60) exactly; on day 52 the idle expiry would be day 66.
    for (const [on, expires] of [
      [13, 27],
      [26, 40],
      [39, 53],
      [46, 60],
      [52, 60],
    ]) {
      clock.set(day(on));
      latest = (await refresh(latest.refreshToken)).data?.refresh as typeof latest;
      expect(new Date(latest.refreshTokenExpiresAt)).toEqual(day(expires));
    }
    expect(new Date(latest.refreshTokenExpiresAt)).toEqual(new Date(start.getTime() + 60 * 86400_000));
    expect(new Date(latest.session.expiresAt)).toEqual(new Date(start.getTime() + 60 * 86400_000));
    expect(new Date(latest.session.lastUsedAt as string)).toEqual(clock.now());
  });

  it('writes one audit entry per rotation and per grace hand-back, and the chain verifies', async () => {
    const user = await aUser(app);
    const login = await signIn(app, user);
    const first = await refresh(login.refreshToken);
    const handedBack = await refresh(login.refreshToken);
    expect(handedBack.data?.refresh.refreshToken).toBe(first.data?.refresh.refreshToken);
    await refresh(first.data?.refresh.refreshToken as string);
    const refreshed = (await auditOf(app, user.id)).filter((r) => r.type === 'session.refreshed');
    expect(refreshed.map((r) => JSON.parse(r.data))).toEqual([
      { sessionId: login.session.id, generation: 1 },
      { sessionId: login.session.id, generation: 1, handedBack: true },
      { sessionId: login.session.id, generation: 2 },
    ]);
    for (const entry of refreshed) {
      // Written as sorted-key JSON like every entry, though the one-statement rotation builds it in SQL.
      expect(entry.data).toBe(canonicalJson(JSON.parse(entry.data)));
      expect(entry).toMatchObject({ subject_id: user.id, actor_id: null, client_ip: '127.0.0.1' });
      expect(entry.request_id).toEqual(expect.any(String));
    }
    expect(await verifyChain(app.orm.em.fork())).toMatchObject({ valid: true, entriesPending: 0 });
  });

  it('spends no token while no access token can be signed: the same token works once a key is back', async () => {
    const ownClock = testClock();
    const own = await startTestApp({ clock: ownClock, env: { WORKER: 'off' } });
    try {
      const login = await signIn(own, await aUser(own));
      // The active key made under a field-encryption key this instance lacks: it cannot sign.
      const elsewhere = createFieldEncryption([{ id: 'k-elsewhere', key: randomBytes(32) }]);
      await createSigningKeys({
        em: own.orm.em,
        encryption: elsewhere,
        clock: ownClock,
        accessTokenTtlSeconds: 900,
      }).rotate();
      ownClock.advance(KEY_CACHE_SECONDS + 1);
      await own.service.signingKeys.jwks(); // a reload, which cannot read the new private key
      const refreshOwn = (token: string) =>
        own.gql(RefreshDoc, { input: { refreshToken: token, deviceId: 'device-1' } });
      expect(errorCode(await refreshOwn(login.refreshToken))).toBe('INTERNAL_SERVER_ERROR');
      const [session] = await own.orm.em
        .getConnection()
        .execute('select generation from sessions where id = ?', [login.session.id]);
      expect(session.generation).toBe(0);
      await own.service.signingKeys.rotate(); // a key this instance reads
      const retried = await refreshOwn(login.refreshToken);
      expect(retried.errors).toBeUndefined();
      expect(retried.data?.refresh.session.id).toBe(login.session.id);
    } finally {
      await own.close();
    }
  });

  it('leaves nothing half-written when the audit entry cannot be appended', async () => {
    const login = await signIn(app, await aUser(app));
    const sql = (text: string, params: unknown[] = []) => app.orm.em.getConnection().execute(text, params);
    await sql(
      `alter table audit_pending add constraint refuse_refreshes check (type <> 'session.refreshed') not valid`,
    );
    try {
      const failed = await refresh(login.refreshToken);
      expect(failed.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await sql('alter table audit_pending drop constraint refuse_refreshes');
    }
    const [session] = await sql('select generation from sessions where id = ?', [login.session.id]);
    expect(session.generation).toBe(0);
    const retired = await sql('select 1 from retired_refresh_tokens where session_id = ?', [
      login.session.id,
    ]);
    expect(retired).toHaveLength(0);
    // The token was never rotated away, so it still works, as the first use.
    const retry = await refresh(login.refreshToken);
    expect(retry.data?.refresh.session.id).toBe(login.session.id);
  });

  it('refreshes more sessions at once than the pool has connections, with the PostgreSQL rate-limit store', async () => {
    const shared = await startTestApp({ env: { RATE_LIMIT_STORE: 'postgres' } });
    try {
      // Each refresh holds a connection for its transaction and the store needs another.
      const poolMax = Number(shared.orm.config.get('pool')?.max);
      expect(poolMax).toBeGreaterThan(0);
      const parallel = poolMax + 5;
      const user = await aUser(shared);
      const logins = [];
      for (let i = 0; i < parallel; i++) logins.push(await signIn(shared, user, `tab-${i}`));
      const results = await Promise.all(
        logins.map((login, i) =>
          shared.gql(RefreshDoc, { input: { refreshToken: login.refreshToken, deviceId: `tab-${i}` } }),
        ),
      );
      expect(results.filter((r) => r.data?.refresh.refreshToken)).toHaveLength(parallel);
    } finally {
      await shared.close();
    }
  });

  it('signs inside a full pool of transactions after the key cache went stale', async () => {
    const keyClock = testClock();
    // A grace window longer than the key cache, so that the hand-backs below are still due
    // once the cached keys went stale.
    const stale = await startTestApp({
      clock: keyClock,
      env: { REFRESH_GRACE_SECONDS: String(KEY_CACHE_SECONDS * 10) },
    });
    const user = await aUser(stale);
    const parallel = Number(stale.orm.config.get('pool')?.max) + 5;
    const predecessors: string[] = [];
    for (let i = 0; i < parallel; i++) {
      const login = await signIn(stale, user, `tab-${i}`);
      const rotated = await stale.gql(RefreshDoc, {
        input: { refreshToken: login.refreshToken, deviceId: `tab-${i}` },
      });
      expect(rotated.errors).toBeUndefined();
      predecessors.push(login.refreshToken);
    }
    keyClock.advance(KEY_CACHE_SECONDS + 1);
    // A grace hand-back is decided in a transaction that locks its session and then signs an
    // access token. With every session of this user held, those transactions queue until the
    // pool is full of them; the first to get its row then signs. A key reload that waited for a
    // pool connection there would wait for ever.
    const holder = await holdRowLock(
      stale.databaseUrl,
      'select id from sessions where user_id = $1 for update',
      [user.id],
    );
    let released = false;
    try {
      const results = Promise.all(
        predecessors.map((refreshToken, i) =>
          stale.gql(RefreshDoc, { input: { refreshToken, deviceId: `tab-${i}` } }),
        ),
      );
      await waitForLockWaits(holder.client, 'select', parallel - 5);
      released = true;
      await holder.release();
      expect((await results).filter((r) => r.data?.refresh.refreshToken)).toHaveLength(parallel);
    } finally {
      if (!released) await holder.release();
      await stale.close();
    }
  });

  it('rotates with one statement and no transaction, which finds the session by its token, writes the rotation and stages its audit entry', async () => {
    const statements: string[] = [];
    const counted = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      const login = await signIn(counted, await aUser(counted));
      statements.length = 0;
      const res = await counted.gql(RefreshDoc, {
        input: { refreshToken: login.refreshToken, deviceId: 'device-1' },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?.refresh.session.id).toBe(login.session.id);
      expect(res.data?.refresh.refreshToken).toMatch(REFRESH_TOKEN_FORMAT);
      expect(res.data?.refresh.refreshToken).not.toBe(login.refreshToken);
      const kinds = statements.map((s) => {
        const sql = s.replace(/^\[query\] /, '');
        if (
          /^with account as .* for share .* update sessions .* insert into retired_refresh_tokens .*\binsert into audit_pending /.test(
            sql,
          )
        ) {
          // No shared row is read or locked: refreshes of the whole fleet go ahead side by side.
          expect(sql).not.toMatch(/audit_head|audit_log/);
          // Not the columns it has no use for.
          expect(sql).not.toMatch(/password_hash|mfa_secret|totp_pending_secret/);
          return 'rotate and stage audit entry';
        }
        return sql;
      });
      expect(kinds).toEqual(['rotate and stage audit entry']);
      // Sent as a prepared statement (a direct connection allows it): exactly one connection of
      // the pool holds it.
      expect(await preparedOnPool(counted, 'with account as', 'retired_refresh_tokens')).toBe(1);
    } finally {
      await counted.close();
    }
  });
});

/**
 * The usual rotation is one statement that checks every condition under its row locks. Each change
 * below commits while that statement waits for a row the change holds: the statement must act on
 * what committed, not on what it would have read before the wait.
 */
describe('a refresh raced by a change committed while its statement waits', () => {
  async function raced(change: string, params: (login: Awaited<ReturnType<typeof signIn>>) => unknown[]) {
    const login = await signIn(app, await aUser(app));
    const holder = await holdRowLock(app.databaseUrl, change, params(login));
    let released = false;
    try {
      const result = refresh(login.refreshToken);
      await waitForLockWaits(holder.client, 'with account as');
      released = true;
      await holder.release();
      return { login, res: await result };
    } finally {
      if (!released) await holder.release();
    }
  }

  const rowsOf = async (sql: string, params: unknown[]) =>
    app.orm.em.getConnection().execute(sql, params) as Promise<Record<string, unknown>[]>;

  async function expectNothingWritten(login: Awaited<ReturnType<typeof signIn>>) {
    const [session] = await rowsOf('select generation from sessions where id = ?', [login.session.id]);
    expect(session.generation).toBe(0);
    expect(
      await rowsOf('select 1 from retired_refresh_tokens where session_id = ?', [login.session.id]),
    ).toEqual([]);
    const entries = await auditOf(app, login.user.id);
    expect(entries.filter((e) => e.type === 'session.refreshed')).toEqual([]);
  }

  it('a suspension: refused as an ended session, nothing written', async () => {
    const { login, res } = await raced("update users set status = 'SUSPENDED' where id = $1", (l) => [
      l.user.id,
    ]);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.extensions.reason).toBe('SESSION_ENDED');
    await expectNothingWritten(login);
  });

  it('a revocation: refused as an ended session, nothing written', async () => {
    const { login, res } = await raced('update sessions set revoked_at = now() where id = $1', (l) => [
      l.session.id,
    ]);
    expect(res.errors?.[0]?.extensions.reason).toBe('SESSION_ENDED');
    await expectNothingWritten(login);
  });

  it('the refresh budget spent meanwhile (say by a grace hand-back in another tab): refused, nothing written', async () => {
    const { login, res } = await raced(
      'update sessions set refresh_window_started_at = $2, refresh_count = 2147483647 where id = $1',
      (l) => [l.session.id, clock.now()],
    );
    expect(errorCode(res)).toBe('RATE_LIMITED');
    expect(res.errors?.[0]?.extensions.retryAfterSeconds).toBe(60);
    await expectNothingWritten(login);
  });

  it('a current token the one statement did not rotate (a change it saw, since undone): rotated by the transaction, audited once', async () => {
    const login = await signIn(app, await aUser(app));
    let next = '';
    const sql = (text: string) => app.orm.em.getConnection().execute(text);
    // Stands for a change the one statement saw under its locks and that was undone before the read:
    // its update of the session is skipped, every other update goes ahead.
    await sql(`create function skip_one_statement_rotation() returns trigger language plpgsql as $$
      begin
        if current_query() like 'with account as%' then return null; end if;
        return new;
      end $$`);
    await sql(`create trigger skip_one_statement_rotation before update on sessions
      for each row execute function skip_one_statement_rotation()`);
    try {
      const res = await refresh(login.refreshToken);
      expect(res.errors).toBeUndefined();
      expect(res.data?.refresh.session.id).toBe(login.session.id);
      next = res.data?.refresh.refreshToken as string;
      const [session] = await rowsOf('select generation, refresh_count from sessions where id = ?', [
        login.session.id,
      ]);
      expect(session).toEqual({ generation: 1, refresh_count: 1 });
      expect(
        await rowsOf('select generation from retired_refresh_tokens where session_id = ?', [
          login.session.id,
        ]),
      ).toEqual([{ generation: 0 }]);
      const refreshed = (await auditOf(app, login.user.id)).filter((e) => e.type === 'session.refreshed');
      expect(refreshed.map((e) => JSON.parse(e.data))).toEqual([
        { sessionId: login.session.id, generation: 1 },
      ]);
    } finally {
      await sql('drop trigger skip_one_statement_rotation on sessions');
      await sql('drop function skip_one_statement_rotation()');
    }
    // The new token is the session's current one.
    expect((await refresh(next)).errors).toBeUndefined();
  });

  it('a grace hand-back while every session of the account is being ended: no deadlock, both finish', async () => {
    const login = await signIn(app, await aUser(app));
    const first = await refresh(login.refreshToken);
    expect(first.errors).toBeUndefined();
    // Ending the account's sessions takes the account's row, then the sessions' (revokeUserSessions).
    const ending = await holdRowLock(app.databaseUrl, 'select 1 from users where id = $1 for no key update', [
      login.user.id,
    ]);
    let released = false;
    try {
      // The predecessor inside the grace window: decided by the locking transaction.
      const handBack = refresh(login.refreshToken);
      await waitForLockWaits(ending.client, '');
      // Whatever the refresh holds by now must not stand in the way of the sessions' update.
      await ending.client.query("set local lock_timeout = '5s'");
      await ending.client.query('update sessions set last_used_at = last_used_at where user_id = $1', [
        login.user.id,
      ]);
      released = true;
      await ending.release();
      const res = await handBack;
      expect(res.errors).toBeUndefined();
      expect(res.data?.refresh.refreshToken).toBe(first.data?.refresh.refreshToken);
    } finally {
      if (!released) await ending.release();
    }
  });

  it('a new role: rotated, with the new role in the access token', async () => {
    const { res } = await raced("update users set role = 'ADMIN' where id = $1", (l) => [l.user.id]);
    expect(res.errors).toBeUndefined();
    const token = res.data?.refresh.accessToken ?? '';
    expect(decodeSegment(token.split('.')[1]).role).toBe('ADMIN');
  });
});
