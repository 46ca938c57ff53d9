import { aRegistration, aUser, signIn } from '../support/factories';
import { LoginDoc, RefreshDoc, RegisterDoc } from '../support/operations';
import { startTestApp, type TestApp } from '../support/test-app';

const limits = (overrides: Record<string, string> = {}) => ({
  RATE_LIMIT_LOGIN_PER_MINUTE: '5',
  RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '100',
  RATE_LIMIT_REGISTER_PER_HOUR: '3',
  RATE_LIMIT_REFRESH_PER_MINUTE: '60',
  ...overrides,
});

/** Six logins in one document, told apart by aliases: each one is a separate attempt. */
const sixAliasedLogins = (identifier: string, password: string) => ({
  query: `mutation {
    ${[1, 2, 3, 4, 5, 6]
      .map(
        (i) =>
          `a${i}: login(input: { identifier: "${identifier}", password: "${password}", deviceId: "d${i}" }) { __typename }`,
      )
      .join('\n')}
  }`,
});

type Body = {
  data: Record<string, unknown> | null;
  errors?: { path: string[]; extensions: Record<string, unknown> }[];
};

describe('rate limits', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  it('counts every aliased login in one document: the sixth in a minute is RATE_LIMITED with retryAfterSeconds', async () => {
    app = await startTestApp({ env: limits() });
    const user = await aUser(app);
    const body = (await (await app.post(sixAliasedLogins(user.email, user.password))).json()) as Body;
    const limited = body.errors?.filter((e) => e.extensions.code === 'RATE_LIMITED') ?? [];
    expect(limited.map((e) => e.path[0])).toEqual(['a6']);
    expect(limited[0].extensions.retryAfterSeconds).toEqual(expect.any(Number));
    expect(limited[0].extensions.retryAfterSeconds as number).toBeGreaterThan(0);
    expect(limited[0].extensions.retryAfterSeconds as number).toBeLessThanOrEqual(60);
  });

  it('ignores X-Forwarded-For from an untrusted peer: spoofed addresses share the socket’s budget', async () => {
    app = await startTestApp({ env: limits() });
    const user = await aUser(app);
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.gql(
        LoginDoc,
        { input: { identifier: user.email, password: user.password, deviceId: `d${i}` } },
        { 'x-forwarded-for': `198.51.100.${i}` },
      );
      codes.push(res.data?.login.__typename ?? res.errors?.[0].extensions.code);
    }
    expect(codes.slice(0, 5).every((c) => c === 'AuthPayload')).toBe(true);
    expect(codes[5]).toBe('RATE_LIMITED');
  });

  it('believes X-Forwarded-For from a trusted proxy: each client address has its own budget', async () => {
    app = await startTestApp({ env: limits({ TRUSTED_PROXIES: 'loopback' }) });
    const user = await aUser(app);
    for (let i = 0; i < 6; i++) {
      const res = await app.gql(
        LoginDoc,
        { input: { identifier: user.email, password: user.password, deviceId: `d${i}` } },
        { 'x-forwarded-for': `198.51.100.${i}` },
      );
      expect(res.data?.login.__typename).toBe('AuthPayload');
    }
  });

  it('stops an IP after its daily failure budget, for every identifier', async () => {
    app = await startTestApp({ env: limits({ RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '3' }) });
    const [a, b] = [await aUser(app), await aUser(app)];
    for (let i = 0; i < 3; i++) {
      const res = await app.gql(LoginDoc, {
        input: { identifier: `nobody${i}@example.com`, password: 'x'.repeat(12), deviceId: 'd' },
      });
      expect(res.errors?.[0].extensions.code).toBe('INVALID_CREDENTIALS');
    }
    for (const user of [a, b]) {
      const res = await app.gql(LoginDoc, {
        input: { identifier: user.email, password: user.password, deviceId: 'd' },
      });
      expect(res.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    }
  });

  it('allows three registrations per hour per IP', async () => {
    app = await startTestApp({ env: limits() });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.gql(RegisterDoc, { input: aRegistration() });
      codes.push(res.data?.register ? 'OK' : res.errors?.[0].extensions.code);
    }
    expect(codes).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
  });

  it('limits refreshes per session', async () => {
    app = await startTestApp({ env: limits({ RATE_LIMIT_REFRESH_PER_MINUTE: '2' }) });
    const login = await signIn(app, await aUser(app));
    let token = login.refreshToken;
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.gql(RefreshDoc, { input: { refreshToken: token, deviceId: 'device-1' } });
      token = res.data?.refresh.refreshToken ?? token;
      codes.push(res.data ? 'OK' : res.errors?.[0].extensions.code);
    }
    expect(codes).toEqual(['OK', 'OK', 'RATE_LIMITED']);
  });

  it('shares the budget between instances through the PostgreSQL store', async () => {
    app = await startTestApp({ env: limits({ RATE_LIMIT_STORE: 'postgres' }) });
    const second = await startTestApp({
      databaseUrl: app.databaseUrl,
      env: limits({ RATE_LIMIT_STORE: 'postgres' }),
    });
    try {
      const user = await aUser(app);
      const codes = [];
      for (let i = 0; i < 6; i++) {
        const target = i % 2 === 0 ? app : second;
        const res = await target.gql(LoginDoc, {
          input: { identifier: user.email, password: user.password, deviceId: `d${i}` },
        });
        codes.push(res.data?.login.__typename ?? res.errors?.[0].extensions.code);
      }
      expect(codes).toEqual([
        'AuthPayload',
        'AuthPayload',
        'AuthPayload',
        'AuthPayload',
        'AuthPayload',
        'RATE_LIMITED',
      ]);
      const rows = await app.orm.em.getConnection().execute('select key from rate_limits');
      expect(JSON.stringify(rows)).not.toContain(user.email);
    } finally {
      await second.close();
    }
  });

  it('keeps limiting through the in-memory insurance limiter when the PostgreSQL store fails', async () => {
    app = await startTestApp({ env: limits({ RATE_LIMIT_STORE: 'postgres' }) });
    const user = await aUser(app);
    await app.orm.em.getConnection().execute('drop table rate_limits');
    const body = (await (await app.post(sixAliasedLogins(user.email, user.password))).json()) as Body;
    expect(body.errors?.map((e) => [e.path[0], e.extensions.code])).toEqual([['a6', 'RATE_LIMITED']]);
  });
});
