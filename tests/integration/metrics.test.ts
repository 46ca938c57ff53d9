import { randomBytes } from 'node:crypto';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { linkAudit } from '../support/audit';
import { testClock } from '../support/clock';
import { createTestDatabase } from '../support/database';
import { loginOutcome } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { recordSecretsIn } from '../support/log-scan';
import { moved, parseExposition, type Sample, samplesOf, sampleValue } from '../support/metrics';
import { challengeFor, enrolTotp } from '../support/mfa';
import { LoginDoc, MeDoc, RefreshDoc, VerifyMfaDoc } from '../support/operations';
import { startTcpProxy } from '../support/tcp-proxy';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** A token no other test uses, so the log scan can look for it. */
const METRICS_TOKEN = `metrics-${randomBytes(24).toString('hex')}`;
recordSecretsIn({ token: METRICS_TOKEN });

const metricsOf = (app: TestApp, authorization?: string) =>
  fetch(`${app.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

async function scrapeText(app: TestApp, token: string | undefined = METRICS_TOKEN): Promise<string> {
  const res = await metricsOf(app, token ? `Bearer ${token}` : undefined);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`);
  return text;
}
const scrape = async (app: TestApp, token?: string): Promise<Sample[]> =>
  parseExposition(await scrapeText(app, token));

const attempt = (app: TestApp, identifier: string, password: string) =>
  app.gql(LoginDoc, { input: { identifier, password, deviceId: 'metrics-box' } });

const SIGN_INS = 'identity_sign_ins_total';
const signIns = (outcome: string, reason = '') => [SIGN_INS, { outcome, reason }] as const;

describe('GET /metrics with METRICS_TOKEN', () => {
  const clock = testClock();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      clock,
      env: { METRICS_TOKEN, LOCKOUT_THRESHOLD: '3', RATE_LIMIT_LOGIN_PER_MINUTE: '5' },
    });
  });
  afterAll(() => app.close());

  it('answers 401 with no metric data without the bearer token or with another one, 200 with it', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}x`,
      `Bearer ${METRICS_TOKEN}x`,
      `Basic ${Buffer.from(`metrics:${METRICS_TOKEN}`).toString('base64')}`,
      METRICS_TOKEN,
    ]) {
      const res = await metricsOf(app, authorization);
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(body).not.toMatch(/identity_|nodejs_|process_|# HELP/);
    }
    const res = await metricsOf(app, `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('content-type')).toContain('version=0.0.4');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('# TYPE identity_sign_ins_total counter');
  });

  it('counts a sign-in that succeeds and one that fails, exactly once each', async () => {
    const user = await aUser(app);
    const before = await scrape(app);
    await signIn(app, user);
    expect(await loginOutcome(attempt(app, user.email, 'not the password at all'))).toBe(
      'INVALID_CREDENTIALS',
    );
    const after = await scrape(app);
    expect(moved(before, after, ...signIns('succeeded'))).toBe(1);
    expect(moved(before, after, ...signIns('failed', 'bad_password'))).toBe(1);
    expect(moved(before, after, 'identity_accounts_locked_total', { by: 'failed_logins' })).toBe(0);
  });

  it('counts a lockout once, then the attempts it refuses as failures of their own reason', async () => {
    const user = await aUser(app);
    const before = await scrape(app);
    for (let i = 0; i < 3; i++)
      expect(await loginOutcome(attempt(app, user.email, 'wrong password again'))).toBe(
        'INVALID_CREDENTIALS',
      );
    expect(await loginOutcome(attempt(app, user.email, user.password))).toBe('INVALID_CREDENTIALS');
    const after = await scrape(app);
    expect(moved(before, after, 'identity_accounts_locked_total', { by: 'failed_logins' })).toBe(1);
    expect(moved(before, after, ...signIns('failed', 'bad_password'))).toBe(3);
    expect(moved(before, after, ...signIns('failed', 'locked_out'))).toBe(1);
    expect(moved(before, after, ...signIns('succeeded'))).toBe(0);
  });

  it('counts a RATE_LIMITED sign-in as a sign-in outcome and as a refusal of the login budget', async () => {
    const identifier = `nobody.${randomBytes(4).toString('hex')}@example.com`;
    const before = await scrape(app);
    for (let i = 0; i < 5; i++)
      expect(await loginOutcome(attempt(app, identifier, 'some password here'))).toBe('INVALID_CREDENTIALS');
    expect(await loginOutcome(attempt(app, identifier, 'some password here'))).toBe('RATE_LIMITED');
    const after = await scrape(app);
    expect(moved(before, after, ...signIns('failed', 'unknown_user'))).toBe(5);
    expect(moved(before, after, ...signIns('rate_limited'))).toBe(1);
    expect(moved(before, after, 'identity_rate_limit_refusals_total', { budget: 'login' })).toBe(1);
    expect(
      moved(before, after, 'identity_graphql_requests_total', {
        operation: 'login',
        outcome: 'RATE_LIMITED',
      }),
    ).toBe(1);
    clock.advance(61); // the budget refills for the tests after this one
  });

  it('counts a refresh-token reuse detection once', async () => {
    const session = await signIn(app, await aUser(app), 'reuse-device');
    const rotated = await app.gql(RefreshDoc, {
      input: { refreshToken: session.refreshToken, deviceId: 'reuse-device' },
    });
    expect(rotated.errors).toBeUndefined();
    const before = await scrape(app);
    clock.advance(11); // past the grace window of the predecessor
    const replay = await app.gql(RefreshDoc, {
      input: { refreshToken: session.refreshToken, deviceId: 'reuse-device' },
    });
    expect(replay.errors?.[0].extensions.code).toBe('REFRESH_TOKEN_REUSED');
    const after = await scrape(app);
    expect(moved(before, after, 'identity_refresh_token_reuse_total')).toBe(1);
    expect(
      moved(before, after, 'identity_graphql_requests_total', {
        operation: 'refresh',
        outcome: 'REFRESH_TOKEN_REUSED',
      }),
    ).toBe(1);
  });

  it('counts a sign-in waiting for its second factor, a wrong code and the right one', async () => {
    const user = await aUser(app);
    const first = await signIn(app, user, 'enrol-device');
    const { secret } = await enrolTotp(app, clock, first.accessToken);
    const before = await scrape(app);
    const challenge = await challengeFor(app, user);
    const wrong = await app.gql(VerifyMfaDoc, {
      input: { challengeToken: challenge.challengeToken, code: '000000' },
    });
    expect(wrong.errors?.[0].extensions.code).toBe('INVALID_CREDENTIALS');
    const right = await app.gql(VerifyMfaDoc, {
      input: { challengeToken: challenge.challengeToken, code: totpCode(secret, clock.now()) },
    });
    expect(right.errors).toBeUndefined();
    const after = await scrape(app);
    expect(moved(before, after, ...signIns('mfa_required'))).toBe(1);
    expect(moved(before, after, ...signIns('mfa_failed', 'bad_code'))).toBe(1);
    expect(moved(before, after, ...signIns('succeeded'))).toBe(1);
  });

  it('counts and times GraphQL requests per operation and outcome', async () => {
    const session = await signIn(app, await aUser(app));
    const before = await scrape(app);
    expect((await app.gql(MeDoc, undefined, bearer(session.accessToken))).errors).toBeUndefined();
    expect((await app.gql(MeDoc)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    await attempt(app, session.user.email, 'a wrong password for this');
    const after = await scrape(app);
    const requests = 'identity_graphql_requests_total';
    expect(moved(before, after, requests, { operation: 'me', outcome: 'ok' })).toBe(1);
    expect(moved(before, after, requests, { operation: 'me', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(moved(before, after, requests, { operation: 'login', outcome: 'INVALID_CREDENTIALS' })).toBe(1);
    const count = 'identity_graphql_request_duration_seconds_count';
    expect(moved(before, after, count, { operation: 'me' })).toBe(2);
    expect(moved(before, after, count, { operation: 'login' })).toBe(1);
    expect(
      sampleValue(after, 'identity_graphql_request_duration_seconds_sum', { operation: 'login' }),
    ).toBeGreaterThan(0);
    const buckets = samplesOf(after, 'identity_graphql_request_duration_seconds_bucket', { operation: 'me' });
    expect(buckets.map((b) => b.labels.le)).toContain('+Inf');
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(
      sampleValue(after, count, { operation: 'me' }),
    );
  });

  it('labels operations by the schema’s root fields, never by the client’s names or text', async () => {
    const random = `zq${randomBytes(6).toString('hex')}`;
    const before = await scrape(app);
    const post = (body: unknown) => app.post(body).then((r) => r.json() as Promise<{ errors?: unknown[] }>);
    await post({ query: `query ${random} { ${random}: __typename }`, operationName: random });
    await post({
      query: `query ${random}A { me { id } } query ${random}B { me { id } }`,
      operationName: random,
    });
    await post({ query: `{ ${random} }` });
    await post({ query: `{ me { id ${random}` });
    await post({ query: `query Both { me { id } __typename a: me { id } }` });
    await post({ query: `{ ... on Query { __typename } }` });
    const text = await scrapeText(app);
    expect(text).not.toContain(random);
    const after = parseExposition(text);
    const requests = 'identity_graphql_requests_total';
    expect(moved(before, after, requests, { operation: '__typename', outcome: 'ok' })).toBe(2);
    expect(moved(before, after, requests, { operation: 'me', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(
      moved(before, after, requests, { operation: 'invalid', outcome: 'OPERATION_RESOLUTION_FAILURE' }),
    ).toBe(1);
    expect(
      moved(before, after, requests, { operation: 'invalid', outcome: 'GRAPHQL_VALIDATION_FAILED' }),
    ).toBe(1);
    expect(moved(before, after, requests, { operation: 'invalid', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    const operations = new Set(samplesOf(after, requests).map((s) => s.labels.operation));
    for (const operation of operations)
      expect(operation).toMatch(/^(invalid|multiple|__typename|[a-z][A-Za-z]*)$/);
  });

  it('reports the database pool, the job queues, the event loop and the heap', async () => {
    const samples = await scrape(app);
    expect(sampleValue(samples, 'identity_db_pool_max')).toBe(20);
    expect(samplesOf(samples, 'identity_db_pool_connections', { state: 'used' })).toHaveLength(1);
    expect(samplesOf(samples, 'identity_db_pool_connections', { state: 'free' })).toHaveLength(1);
    expect(samplesOf(samples, 'identity_db_pool_pending_acquires')).toHaveLength(1);
    for (const queue of ['mail', 'sms', 'mail.dead'])
      for (const state of ['queued', 'active'])
        expect(samplesOf(samples, 'identity_job_queue_jobs', { queue, state })).toHaveLength(1);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'db_pool' })).toBe(1);
    expect(sampleValue(samples, 'identity_metrics_source_up', { source: 'job_queue' })).toBe(1);
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
    ])
      expect(samplesOf(samples, name)).toHaveLength(1);
  });

  it('holds no secret: neither its token, nor passwords, nor the tokens of a session', async () => {
    const user = await aUser(app);
    const session = await signIn(app, user);
    await attempt(app, user.email, 'a wrong password to count');
    const text = await scrapeText(app);
    for (const secret of [
      METRICS_TOKEN,
      user.password,
      session.accessToken,
      session.refreshToken,
      session.deviceTrustToken,
      user.email,
      user.id,
      user.username,
    ])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/127\.0\.0\.1/);
  });

  it('counts only what committed: events of a rolled-back transaction are not counted', async () => {
    const { inTransaction } = app.service.identity;
    const before = await scrape(app);
    const event = { type: 'refresh_token.reused', data: {} };
    await expect(
      inTransaction(app.orm.em.fork(), {}, async (_tx, record) => {
        record(event);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(moved(before, await scrape(app), 'identity_refresh_token_reuse_total')).toBe(0);
    await inTransaction(app.orm.em.fork(), {}, async (_tx, record) => record(event));
    expect(moved(before, await scrape(app), 'identity_refresh_token_reuse_total')).toBe(1);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('answers 404 in production, so that metrics never leak by default', async () => {
    const app = await startTestApp({
      env: {
        NODE_ENV: 'production',
        PUBLIC_WEB_URL: 'https://account.elcorp.example',
        BCRYPT_COST: '10',
        FIELD_ENCRYPTION_KEYS: `prod1:${randomBytes(32).toString('base64')}`,
        PASSWORD_PEPPER: randomBytes(32).toString('base64'),
      },
    });
    try {
      const res = await metricsOf(app, `Bearer ${METRICS_TOKEN}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/identity_|nodejs_/);
    } finally {
      await app.close();
    }
  });

  describe('the audit chain, with no chainer running', () => {
    it('reports the entries waiting to be linked and how long the oldest waited, then none once linked', async () => {
      const app = await startTestApp({ env: { WORKER: 'off' } });
      try {
        const empty = await scrape(app, undefined);
        expect(
          empty
            .filter((x) => x.name.startsWith('identity_audit_'))
            .map((x) => x.name)
            .sort(),
        ).toEqual(['identity_audit_chain_lag_seconds', 'identity_audit_entries_pending']);
        expect(sampleValue(empty, 'identity_audit_entries_pending', {})).toBe(0);
        expect(sampleValue(empty, 'identity_audit_chain_lag_seconds', {})).toBe(0);
        await aUser(app);
        await aUser(app);
        const waiting = await scrape(app, undefined);
        expect(sampleValue(waiting, 'identity_audit_entries_pending', {})).toBe(2);
        expect(sampleValue(waiting, 'identity_audit_chain_lag_seconds', {})).toBeGreaterThan(0);
        await linkAudit(app);
        expect(sampleValue(await scrape(app, undefined), 'identity_audit_entries_pending', {})).toBe(0);
      } finally {
        await app.close();
      }
    });
  });

  describe('outside production, with the audit trail off and no worker', () => {
    const clock = testClock();
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        clock,
        env: { AUDIT_LOG_ENABLED: 'false', WORKER: 'off', LOCKOUT_THRESHOLD: '2' },
      });
    });
    afterAll(() => app.close());

    // First in this database: pg-boss counts a queue at most once a minute, and nothing counted it yet.
    it('counts the jobs waiting in a queue nobody works', async () => {
      await aUser(app);
      await aUser(app); // each registration writes a verification mail as a job
      const samples = await scrape(app, undefined);
      expect(sampleValue(samples, 'identity_job_queue_jobs', { queue: 'mail', state: 'queued' })).toBe(2);
      expect(sampleValue(samples, 'identity_job_queue_jobs', { queue: 'mail', state: 'active' })).toBe(0);
    });

    it('serves without a token and counts sign-ins and lockouts all the same', async () => {
      const before = await scrape(app, undefined);
      const user = await aUser(app);
      await signIn(app, user);
      const other = await aUser(app);
      for (let i = 0; i < 2; i++) await attempt(app, other.email, 'wrong password again');
      const after = await scrape(app, undefined);
      expect(moved(before, after, ...signIns('succeeded'))).toBe(1);
      expect(moved(before, after, ...signIns('failed', 'bad_password'))).toBe(2);
      expect(moved(before, after, 'identity_accounts_locked_total', { by: 'failed_logins' })).toBe(1);
      const [{ n }] = await app.orm.em.getConnection().execute('select count(*)::int as n from audit_log');
      expect(n).toBe(0);
    });
  });
});

describe('GET /metrics while PostgreSQL cannot be reached', () => {
  let app: TestApp;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    const direct = new URL(databaseUrl);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    app = await startTestApp({ databaseUrl: proxy.through(databaseUrl), env: { WORKER: 'off' } });
  });
  afterAll(async () => {
    await proxy.restore();
    await app.close();
    await proxy.close();
  });

  it('still answers, leaving out the job queue gauges, and reports them again once the database is back', async () => {
    const up = await scrape(app, undefined);
    expect(samplesOf(up, 'identity_job_queue_jobs', { queue: 'mail' }).length).toBeGreaterThan(0);

    await proxy.cut();
    const res = await metricsOf(app);
    expect(res.status).toBe(200);
    const down = parseExposition(await res.text());
    expect(samplesOf(down, 'identity_job_queue_jobs')).toEqual([]);
    expect(sampleValue(down, 'identity_metrics_source_up', { source: 'job_queue' })).toBe(0);
    expect(sampleValue(down, 'identity_db_pool_max')).toBe(20);
    expect(samplesOf(down, 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(503);

    await proxy.restore();
    const deadline = Date.now() + 20_000;
    let back = await scrape(app, undefined);
    while (sampleValue(back, 'identity_metrics_source_up', { source: 'job_queue' }) !== 1) {
      if (Date.now() > deadline) throw new Error('the job queue gauges did not come back');
      await new Promise((r) => setTimeout(r, 200));
      back = await scrape(app, undefined);
    }
    expect(samplesOf(back, 'identity_job_queue_jobs', { queue: 'mail' }).length).toBeGreaterThan(0);
  });
});
