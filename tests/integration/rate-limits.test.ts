import { join } from 'node:path';
import { loginOutcome } from '../support/errors';
import { aRegistration, aUser, signIn } from '../support/factories';
import { LoginDoc, RefreshDoc, RegisterDoc } from '../support/operations';
import { freePort } from '../support/ports';
import { preparedOnPool } from '../support/prepared';
import { findRedisServer, startRedisServer } from '../support/redis-server';
import { startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

const DATA_ROOT = join(__dirname, '..', '..', '.data');

const limits = (overrides: Record<string, string> = {}) => ({
  RATE_LIMIT_STORE: 'memory',
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

/** Five sign-ins within the budget, then the sixth refused. */
const FIVE_THEN_LIMITED = [...Array(5).fill('AuthPayload'), 'RATE_LIMITED'];

type Body = {
  data: Record<string, unknown> | null;
  errors?: { path: string[]; extensions: Record<string, unknown> }[];
};

/** Settings for each store; the run's Redis comes from the global setup (TEST_REDIS_URL). */
const stores: Record<string, Record<string, string>> = {
  memory: { RATE_LIMIT_STORE: 'memory' },
  postgres: { RATE_LIMIT_STORE: 'postgres' },
  redis: { RATE_LIMIT_STORE: 'redis', REDIS_URL: process.env.TEST_REDIS_URL ?? '' },
};

describe.each(Object.keys(stores))('rate limits with the %s store', (store) => {
  let app: TestApp;
  afterEach(() => app?.close());
  const withStore = (overrides: Record<string, string> = {}) => limits({ ...stores[store], ...overrides });

  it('counts every aliased login in one document: the sixth in a minute is RATE_LIMITED with retryAfterSeconds', async () => {
    app = await startTestApp({ env: withStore() });
    const user = await aUser(app);
    const body = (await (await app.post(sixAliasedLogins(user.email, user.password))).json()) as Body;
    const limited = body.errors?.filter((e) => e.extensions.code === 'RATE_LIMITED') ?? [];
    expect(limited.map((e) => e.path[0])).toEqual(['a6']);
    expect(limited[0].extensions.retryAfterSeconds).toEqual(expect.any(Number));
    expect(limited[0].extensions.retryAfterSeconds as number).toBeGreaterThan(0);
    expect(limited[0].extensions.retryAfterSeconds as number).toBeLessThanOrEqual(60);
  });

  it('stops an IP after its daily failure budget, for every identifier', async () => {
    app = await startTestApp({ env: withStore({ RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '3' }) });
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
    app = await startTestApp({ env: withStore() });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.gql(RegisterDoc, { input: aRegistration() });
      codes.push(res.data?.register ? 'OK' : res.errors?.[0].extensions.code);
    }
    expect(codes).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
  });

  it('limits refreshes per session', async () => {
    app = await startTestApp({ env: withStore({ RATE_LIMIT_REFRESH_PER_MINUTE: '2' }) });
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
});

describe('client IP', () => {
  let app: TestApp;
  afterEach(() => app?.close());

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
      codes.push(await loginOutcome(res));
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
});

describe.each(['postgres', 'redis'])('the shared %s store', (store) => {
  let app: TestApp;
  afterEach(() => app?.close());
  const withStore = (overrides: Record<string, string> = {}) => limits({ ...stores[store], ...overrides });

  it('shares the budget between instances and holds only digests', async () => {
    app = await startTestApp({ env: withStore() });
    const second = await startTestApp({ databaseUrl: app.databaseUrl, env: withStore() });
    try {
      const user = await aUser(app);
      const codes = [];
      for (let i = 0; i < 6; i++) {
        const target = i % 2 === 0 ? app : second;
        const res = await target.gql(LoginDoc, {
          input: { identifier: user.email, password: user.password, deviceId: `d${i}` },
        });
        codes.push(await loginOutcome(res));
      }
      expect(codes).toEqual(FIVE_THEN_LIMITED);
      const keys = await storedKeys(app, store);
      expect(keys.length).toBeGreaterThan(0);
      // Each key is the limiter's name and a base64url SHA-256 digest, nothing in clear.
      const prefix = store === 'redis' ? app.config.rateLimits.redisKeyPrefix : '';
      const names = keys.map((key) => {
        expect(key.startsWith(prefix)).toBe(true);
        const [, name] = /^(login|register):[A-Za-z0-9_-]{43}$/.exec(key.slice(prefix.length)) ?? [key];
        return name;
      });
      expect(names.sort()).toEqual(['login', 'register']);
      expect(JSON.stringify(keys)).not.toContain(user.email);
    } finally {
      await second.close();
    }
  });

  if (store === 'postgres')
    it('sends its statements prepared on direct connections', async () => {
      app = await startTestApp({ env: withStore() });
      const user = await aUser(app);
      await signIn(app, user);
      expect(await preparedOnPool(app, 'rate_limits', 'ON CONFLICT(key)')).toBeGreaterThanOrEqual(1);
    });
});

/** The counter keys an instance wrote to its store. */
async function storedKeys(app: TestApp, store: string): Promise<string[]> {
  if (store === 'postgres') {
    const rows = await app.orm.em.getConnection().execute<{ key: string }[]>('select key from rate_limits');
    return rows.map((r) => r.key);
  }
  const { Redis } = await import('ioredis');
  const client = new Redis(process.env.TEST_REDIS_URL ?? '');
  try {
    return await client.keys(`${app.config.rateLimits.redisKeyPrefix}*`);
  } finally {
    await client.quit();
  }
}

describe('when the shared store fails', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  it('keeps limiting through the in-memory insurance limiter when the PostgreSQL store fails, and says so once', async () => {
    const logLines: string[] = [];
    app = await startTestApp({ env: limits({ RATE_LIMIT_STORE: 'postgres' }), logLines });
    const user = await aUser(app);
    const sql = app.orm.em.getConnection();
    await sql.execute('alter table rate_limits rename to rate_limits_away');
    const body = (await (await app.post(sixAliasedLogins(user.email, user.password))).json()) as Body;
    expect(body.errors?.map((e) => [e.path[0], e.extensions.code])).toEqual([['a6', 'RATE_LIMITED']]);
    // One warning for the six failed counts, with the failure's code only (no SQL, no message).
    const warnings = logLines.filter((l) => l.includes('rate-limit store failing'));
    expect(warnings.map((l) => JSON.parse(l).storeError)).toEqual(['42P01']);
    expect(warnings[0]).not.toMatch(/rate_limits|select|insert/i);
    await sql.execute('alter table rate_limits_away rename to rate_limits');
    await app.gql(LoginDoc, {
      input: { identifier: user.email, password: 'not the password 1', deviceId: 'd' },
    });
    expect(logLines.filter((l) => l.includes('rate-limit store answering again'))).toHaveLength(1);
  });

  it('shuts down cleanly when Redis died a moment before', async () => {
    const redis = await startRedisServer(findRedisServer(DATA_ROOT), await freePort());
    try {
      const instance = await startTestApp({ env: limits({ ...stores.redis, REDIS_URL: redis.url }) });
      await aUser(instance);
      await redis.stop('SIGKILL');
      await expect(instance.close()).resolves.toBeUndefined();
    } finally {
      await redis.stop();
    }
  });

  it('keeps limiting, without stalling sign-ins, when Redis goes away mid-run', async () => {
    // A Redis of this test's own, so that it can be killed.
    const redis = await startRedisServer(findRedisServer(DATA_ROOT), await freePort());
    try {
      const logLines: string[] = [];
      app = await startTestApp({ env: limits({ ...stores.redis, REDIS_URL: redis.url }), logLines });
      const user = await aUser(app);
      const attempt = (i: number) =>
        app.gql(LoginDoc, { input: { identifier: user.email, password: user.password, deviceId: `d${i}` } });
      // Two attempts counted in Redis, then Redis dies.
      for (const i of [1, 2]) expect((await attempt(i)).data?.login.__typename).toBe('AuthPayload');
      await redis.stop('SIGKILL');
      const started = Date.now();
      const codes = [];
      for (let i = 3; i <= 8; i++) {
        const res = await attempt(i);
        codes.push(await loginOutcome(res));
      }
      // The insurance limiter starts from zero in this process: five more pass, the sixth does not.
      expect(codes).toEqual(FIVE_THEN_LIMITED);
      expect(Date.now() - started).toBeLessThan(5000);
      // A warning per kind of failure (not per reconnection attempt), without the server's address.
      // The refused connection is the client's next reconnection attempt, which may come after the
      // sign-ins above (they never wait for Redis).
      const redisErrors = () =>
        logLines.filter((l) => l.includes('redis unavailable')).map((l) => JSON.parse(l).redisError);
      await waitUntil('the refused reconnection’s warning', async () =>
        redisErrors().includes('ECONNREFUSED'),
      );
      const warnings = logLines.filter((l) => l.includes('redis unavailable'));
      expect(warnings.length).toBeLessThanOrEqual(2);
      for (const line of warnings) expect(line).not.toContain(new URL(redis.url).port);
    } finally {
      await redis.stop();
    }
  });
});
