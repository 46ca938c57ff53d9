import { Session } from '../../src/identity/domain/session.entity';
import { testClock } from '../support/clock';
import { errorCode, loginOutcome } from '../support/errors';
import { aRegistration, aUser, signIn } from '../support/factories';
import { LoginDoc, RefreshDoc, RegisterDoc } from '../support/operations';
import { startTestApp, type TestApp } from '../support/test-app';
import { REFRESH_TOKEN_FORMAT } from '../support/tokens';

describe('the registration budget', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  const register = async (overrides: Parameters<typeof aRegistration>[0] = {}) => {
    const res = await app.gql(RegisterDoc, { input: aRegistration(overrides) });
    return res.data?.register ? 'OK' : errorCode(res);
  };

  it('is spent only by registrations that pass validation', async () => {
    app = await startTestApp({ env: { RATE_LIMIT_STORE: 'memory', RATE_LIMIT_REGISTER_PER_HOUR: '1' } });
    expect(await register({ password: 'password1234' })).toBe('BAD_USER_INPUT');
    expect(await register({ password: 'short' })).toBe('BAD_USER_INPUT');
    expect(await register({ username: 'x' })).toBe('BAD_USER_INPUT');
    expect(await register({ email: 'not an email' })).toBe('BAD_USER_INPUT');
    expect(await register({ phone: '12' })).toBe('BAD_USER_INPUT');
    expect(await register({ walletAddress: '0x1234', walletBlockchain: 'ETHEREUM' })).toBe('BAD_USER_INPUT');
    expect(await register()).toBe('OK');
    expect(await register()).toBe('RATE_LIMITED');
    // Once the budget is spent, an invalid request is told about its input, and still spends nothing.
    expect(await register({ password: 'password1234' })).toBe('BAD_USER_INPUT');
  });

  it('is spent by a valid registration that conflicts with an existing account', async () => {
    app = await startTestApp({ env: { RATE_LIMIT_STORE: 'memory', RATE_LIMIT_REGISTER_PER_HOUR: '2' } });
    const first = aRegistration();
    expect(await register(first)).toBe('OK');
    expect(await register({ email: first.email })).toBe('CONFLICT');
    expect(await register()).toBe('RATE_LIMITED');
  });
});

describe('the refresh budget', () => {
  const clock = testClock();
  let app: TestApp;
  afterEach(() => app?.close());

  const refresh = (refreshToken: string | null | undefined, deviceId = 'device-1') =>
    app.gql(RefreshDoc, { input: { refreshToken, deviceId } });
  const outcome = async (refreshToken: string | null | undefined, deviceId?: string) => {
    const res = await refresh(refreshToken, deviceId);
    return res.data?.refresh ? 'OK' : errorCode(res);
  };
  /** The service with this many refreshes a minute per session. */
  const withBudget = async (perMinute: number, opts: { onQuery?: (sql: string) => void } = {}) => {
    app = await startTestApp({
      clock,
      env: {
        RATE_LIMIT_STORE: 'memory',
        RATE_LIMIT_REFRESH_PER_MINUTE: String(perMinute),
        // Counting statements: no job worker writing the sign-in's new-device mail meanwhile.
        ...(opts.onQuery ? { WORKER: 'off' } : {}),
      },
      ...opts,
    });
  };

  it('counts every presentation of the predecessor inside the grace window', async () => {
    await withBudget(3);
    const login = await signIn(app, await aUser(app));
    const rotated = await refresh(login.refreshToken);
    const successor = rotated.data?.refresh.refreshToken;
    expect(successor).toMatch(REFRESH_TOKEN_FORMAT);
    const handedBack = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1);
      const res = await refresh(login.refreshToken);
      handedBack.push(res.data?.refresh.refreshToken === successor ? 'successor' : errorCode(res));
    }
    expect(handedBack).toEqual(['successor', 'successor', 'RATE_LIMITED', 'RATE_LIMITED']);
    // One budget for the session: its current token is out of it too.
    expect(await outcome(successor as string)).toBe('RATE_LIMITED');
    // A minute later the budget is back, and the predecessor, now outside the grace window, is reuse.
    clock.advance(60);
    expect(await outcome(login.refreshToken)).toBe('REFRESH_TOKEN_REUSED');
    expect(await outcome(successor as string)).toBe('UNAUTHENTICATED');
  });

  it.each(['postgres', 'redis'])(
    'counts grace replays on the session row, whatever the store (%s)',
    async (store) => {
      const env: Record<string, string> = { RATE_LIMIT_STORE: store, RATE_LIMIT_REFRESH_PER_MINUTE: '3' };
      if (store === 'redis') env.REDIS_URL = process.env.TEST_REDIS_URL ?? '';
      app = await startTestApp({ clock, env });
      const login = await signIn(app, await aUser(app));
      expect(await outcome(login.refreshToken)).toBe('OK');
      const replays = [];
      for (let i = 0; i < 3; i++) replays.push(await outcome(login.refreshToken));
      expect(replays).toEqual(['OK', 'OK', 'RATE_LIMITED']);
    },
  );

  it('limits parallel grace replays to the budget', async () => {
    await withBudget(5);
    const login = await signIn(app, await aUser(app));
    expect(await outcome(login.refreshToken)).toBe('OK');
    const results = await Promise.all(Array.from({ length: 12 }, () => outcome(login.refreshToken)));
    expect(results.filter((r) => r === 'OK')).toHaveLength(4);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(8);
  });

  const budgetOf = async (sessionId: string) => {
    const s = await app.orm.em.fork().findOneOrFail(Session, sessionId);
    return { count: s.refreshCount, startedAt: s.refreshWindowStartedAt?.getTime() };
  };

  it('opens a new window exactly a window after the last one opened, through the one-statement rotation', async () => {
    await withBudget(2);
    const login = await signIn(app, await aUser(app));
    const opened = clock.now().getTime();
    let token = login.refreshToken;
    const next = async () => {
      const res = await refresh(token);
      token = res.data?.refresh.refreshToken ?? token;
      return res.data?.refresh ? 'OK' : errorCode(res);
    };
    expect(await next()).toBe('OK');
    clock.advance(1);
    expect(await next()).toBe('OK');
    expect(await budgetOf(login.session.id)).toEqual({ count: 2, startedAt: opened });
    clock.advance(1);
    const refused = await refresh(token);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.extensions.retryAfterSeconds).toBe(58);
    clock.set(new Date(opened + 60_000));
    expect(await next()).toBe('OK');
    expect(await budgetOf(login.session.id)).toEqual({ count: 1, startedAt: opened + 60_000 });
  });

  it('refuses a current token past the budget from its plain read: no transaction, nothing written', async () => {
    const statements: string[] = [];
    await withBudget(1, { onQuery: (sql) => statements.push(sql) });
    const login = await signIn(app, await aUser(app));
    const rotated = await refresh(login.refreshToken);
    const current = rotated.data?.refresh.refreshToken as string;
    expect(current).toMatch(REFRESH_TOKEN_FORMAT);
    statements.length = 0;
    expect(await outcome(current)).toBe('RATE_LIMITED');
    // The rotation, which the budget stops from writing anything, and the read that says why.
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^(\[query\] )?with account as .* update sessions /);
    expect(statements[1]).toMatch(/select s\.id as s_id.* where s\.refresh_token_hash = /);
    expect(await budgetOf(login.session.id)).toEqual({ count: 1, startedAt: clock.now().getTime() });
  });

  it('leaves the count as it was when it refuses a grace hand-back', async () => {
    await withBudget(2);
    const login = await signIn(app, await aUser(app));
    expect(await outcome(login.refreshToken)).toBe('OK');
    expect(await outcome(login.refreshToken)).toBe('OK');
    const spent = await budgetOf(login.session.id);
    expect(spent.count).toBe(2);
    expect(await outcome(login.refreshToken)).toBe('RATE_LIMITED');
    expect(await budgetOf(login.session.id)).toEqual(spent);
  });

  it('still revokes the session when the predecessor comes back after the grace window with the budget spent', async () => {
    await withBudget(3);
    const login = await signIn(app, await aUser(app));
    expect(await outcome(login.refreshToken)).toBe('OK');
    expect(await outcome(login.refreshToken)).toBe('OK');
    expect(await outcome(login.refreshToken)).toBe('OK');
    expect(await outcome(login.refreshToken)).toBe('RATE_LIMITED');
    // Past the grace window, inside the same minute: the budget is still spent, yet reuse is reuse.
    clock.advance(11);
    expect(await outcome(login.refreshToken)).toBe('REFRESH_TOKEN_REUSED');
    const session = await app.orm.em.fork().findOneOrFail(Session, login.session.id);
    expect(session.revokedAt).toBeDefined();
  });

  it('still revokes the session when an older token or another device presents a retired token, budget spent or not', async () => {
    await withBudget(2);
    const user = await aUser(app);
    const login = await signIn(app, user);
    const first = (await refresh(login.refreshToken)).data?.refresh.refreshToken as string;
    expect(await outcome(first)).toBe('OK');
    // Budget spent; the oldest token is two generations back, so it is reuse, not a grace hand-back.
    expect(await outcome(login.refreshToken)).toBe('REFRESH_TOKEN_REUSED');

    const other = await signIn(app, user, 'device-2');
    await refresh(other.refreshToken, 'device-2');
    expect(await outcome(other.refreshToken, 'device-2')).toBe('OK');
    expect(await outcome(other.refreshToken, 'device-2')).toBe('RATE_LIMITED');
    // The predecessor inside the grace window, but named with another device id: reuse.
    expect(await outcome(other.refreshToken, 'someone-else')).toBe('REFRESH_TOKEN_REUSED');
  });
});

describe('the daily per-address failure cap', () => {
  it('never refuses a trusted device with the right password, while strangers behind its address are capped', async () => {
    const app = await startTestApp({
      env: {
        RATE_LIMIT_STORE: 'memory',
        RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '3',
        TRUSTED_PROXIES: 'loopback',
      },
    });
    try {
      const shared = { 'x-forwarded-for': '203.0.113.50' };
      const owner = await aUser(app);
      const known = await app.gql(
        LoginDoc,
        { input: { identifier: owner.email, password: owner.password, deviceId: 'owner-laptop' } },
        shared,
      );
      const trust =
        known.data?.login.__typename === 'AuthPayload' ? known.data.login.deviceTrustToken : undefined;
      expect(typeof trust).toBe('string');

      // Strangers at the same address (a campus, a carrier's NAT) fill the cap with wrong guesses.
      const stranger = await aUser(app);
      for (let i = 0; i < 3; i++)
        expect(
          await loginOutcome(
            app.gql(
              LoginDoc,
              { input: { identifier: stranger.email, password: `guess ${i}`, deviceId: 'x' } },
              shared,
            ),
          ),
        ).toBe('INVALID_CREDENTIALS');
      const capped = await app.gql(
        LoginDoc,
        { input: { identifier: owner.email, password: owner.password, deviceId: 'owner-phone' } },
        shared,
      );
      expect(errorCode(capped)).toBe('RATE_LIMITED');

      // The owner's trusted device still gets in with the right password.
      const trusted = await loginOutcome(
        app.gql(
          LoginDoc,
          {
            input: {
              identifier: owner.email,
              password: owner.password,
              deviceId: 'owner-laptop',
              deviceTrustToken: trust,
            },
          },
          shared,
        ),
      );
      expect(trusted).toBe('AuthPayload');
    } finally {
      await app.close();
    }
  });
});
