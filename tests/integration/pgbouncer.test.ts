import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parse } from 'graphql';
import { Client } from 'pg';
import { ensureDatabase } from '../../src/adapters/database/embedded-postgres';
import { migrateUp } from '../../src/adapters/database/orm';
import { openOrm } from '../../src/composition-root';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { auditBacklog, CHAIN_LOCK_ID } from '../../src/identity/persistence/audit-chainer';
import { verifyChain } from '../../src/identity/persistence/verify-chain';
import type { RegisterInput } from '../gql/graphql';
import { midTotpStep, testClock } from '../support/clock';
import { errorCode, loginOutcome, meCode } from '../support/errors';
import { anAdmin, aRegistration, signIn } from '../support/factories';
import { linkToken, mailTo } from '../support/mail';
import { challengeFor, enrolTotp } from '../support/mfa';
import {
  LockUserDoc,
  LoginDoc,
  LogoutDoc,
  RefreshDoc,
  UpdateProfileDoc,
  UserDoc,
  VerifyMfaDoc,
} from '../support/operations';
import { type AdminRow, findPgBouncer, type PgBouncerHandle, startPgBouncer } from '../support/pgbouncer';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

const DATA_ROOT = join(__dirname, '..', '..', '.data');
/** Server connections PgBouncer opens per database: fewer than either pool of the service. */
const SERVER_CONNECTIONS = 4;
/** Accounts working at once: each flow below runs this many requests in parallel, or more. */
const PEOPLE = 12;
const POOLED = { DATABASE_POOL_MODE: 'transaction', RATE_LIMIT_STORE: 'postgres' };

const SignUp = parse(
  'mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken user { id email } session { id } } }',
);
const RequestReset = parse('mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }');
const ResetPassword = parse(
  'mutation Reset($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }',
);

/** signUp on a device called phone. */
const signUp = (input: RegisterInput, on?: TestApp, headers: Record<string, string> = {}) =>
  (on ?? app).gqlAny(SignUp, { input: { ...input, deviceId: 'phone' } }, headers);
const newUserId = (res: Awaited<ReturnType<typeof signUp>>) =>
  (res.data?.signUp as { user: { id: string } } | undefined)?.user.id;

const clock = testClock(midTotpStep());
let bouncer: PgBouncerHandle;
let databaseName: string;
let pooledUrl: string;
let app: TestApp;
const logLines: string[] = [];

/** Our database's row of an admin console answer. */
const ours = (rows: AdminRow[]) => rows.filter((r) => r.database === databaseName);

beforeAll(async () => {
  const admin = process.env.TEST_DATABASE_ADMIN_URL as string;
  bouncer = await startPgBouncer(findPgBouncer(DATA_ROOT), {
    serverUrl: admin,
    poolSize: SERVER_CONNECTIONS,
  });
  databaseName = `pooled_${process.env.JEST_WORKER_ID ?? 0}_${randomBytes(6).toString('hex')}`;
  // An empty database, migrated through the pooler as `npm run migration:up` would be.
  pooledUrl = bouncer.urlFor(await ensureDatabase(admin, databaseName));
  const orm = await openOrm({ url: pooledUrl });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
  app = await startTestApp({
    databaseUrl: pooledUrl,
    clock,
    logLines,
    // The budgets out of the way here; the rate-limit test below gives its instances their own.
    env: { ...POOLED, RATE_LIMIT_PASSWORD_RESETS_PER_CLIENT: '1000' },
    jobTuning: { pollingIntervalSeconds: 0.5 },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await bouncer?.stop();
});

describe('behind PgBouncer in transaction pooling mode', () => {
  it('runs the main flows with many more client connections than server connections', async () => {
    // Sign-ups, all at once.
    const people = Array.from({ length: PEOPLE }, () => aRegistration());
    const signUps = await Promise.all(people.map((input) => signUp(input)));
    expect(signUps.map((r) => errorCode(r) ?? 'OK')).toEqual(people.map(() => 'OK'));

    // Sign-ins on two more devices each, at once.
    const laptops = await Promise.all(people.map((p) => signIn(app, p, 'laptop')));
    const tablets = await Promise.all(people.map((p) => signIn(app, p, 'tablet')));
    const everyToken = [...laptops, ...tablets].map((s) => s.accessToken);
    expect(await Promise.all(everyToken.map((t) => meCode(app, t)))).toEqual(everyToken.map(() => 'OK'));

    // Rotation on every laptop, at once; the replayed first token after the grace window is reuse.
    const rotated = await Promise.all(
      laptops.map((s) =>
        app.gql(RefreshDoc, { input: { refreshToken: s.refreshToken, deviceId: 'laptop' } }),
      ),
    );
    expect(rotated.map((r) => errorCode(r) ?? 'OK')).toEqual(laptops.map(() => 'OK'));
    clock.advance(11);
    const replays = await Promise.all(
      laptops.map((s) =>
        app.gql(RefreshDoc, { input: { refreshToken: s.refreshToken, deviceId: 'laptop' } }),
      ),
    );
    expect(replays.map(errorCode)).toEqual(laptops.map(() => 'REFRESH_TOKEN_REUSED'));
    // The reuse ended the laptop sessions only: the tablets still refresh.
    const tabletRefreshes = await Promise.all(
      tablets.map((s) =>
        app.gql(RefreshDoc, { input: { refreshToken: s.refreshToken, deviceId: 'tablet' } }),
      ),
    );
    expect(tabletRefreshes.map((r) => errorCode(r) ?? 'OK')).toEqual(tablets.map(() => 'OK'));
    const tabletTokens = tabletRefreshes.map((r) => r.data?.refresh.accessToken as string);

    // Profile changes and sign-outs, at once.
    const updates = await Promise.all(
      tabletTokens.map((t, i) =>
        app.gql(UpdateProfileDoc, { input: { phone: `081 234 ${1000 + i}` } }, bearer(t)),
      ),
    );
    expect(updates.map((r) => errorCode(r) ?? 'OK')).toEqual(tabletTokens.map(() => 'OK'));
    const logouts = await Promise.all(tabletTokens.map((t) => app.gql(LogoutDoc, undefined, bearer(t))));
    expect(logouts.map((r) => r.data?.logout)).toEqual(tabletTokens.map(() => true));
    expect(await Promise.all(tabletTokens.map((t) => meCode(app, t)))).toEqual(
      tabletTokens.map(() => 'UNAUTHENTICATED'),
    );

    // Password reset mails go through the job queue; each link sets a new password.
    await Promise.all(people.map((p) => app.gqlAny(RequestReset, { email: p.email })));
    const tokens = await Promise.all(
      people.map(async (p) => linkToken(await mailTo(app, p.email, 'Reset your password'))),
    );
    const newPassword = (i: number) => `pooled harbour lantern ${i}`;
    const resets = await Promise.all(
      tokens.map((token, i) => app.gqlAny(ResetPassword, { token, newPassword: newPassword(i) })),
    );
    expect(resets.map((r) => errorCode(r) ?? 'OK')).toEqual(tokens.map(() => 'OK'));
    const withNew = await Promise.all(
      people.map((p, i) =>
        loginOutcome(
          app.gql(LoginDoc, { input: { identifier: p.email, password: newPassword(i), deviceId: 'phone' } }),
        ),
      ),
    );
    expect(withNew).toEqual(people.map(() => 'AuthPayload'));

    const clients = ours(await bouncer.show('CLIENTS')).length;
    const servers = ours(await bouncer.show('SERVERS')).length;
    expect(servers).toBeLessThanOrEqual(SERVER_CONNECTIONS);
    expect(clients).toBeGreaterThan(2 * SERVER_CONNECTIONS);
  });

  it('enrols TOTP and signs in with it, and an admin locks accounts', async () => {
    const person = aRegistration();
    await signUp(person);
    const session = await signIn(app, person, 'phone');
    const { secret } = await enrolTotp(app, clock, session.accessToken);
    const challenge = await challengeFor(app, person);
    const verified = await app.gql(VerifyMfaDoc, {
      input: { challengeToken: challenge.challengeToken, code: totpCode(secret, clock.now()) },
    });
    expect(errorCode(verified)).toBeUndefined();

    const { session: adminSession } = await anAdmin(app);
    const targets = Array.from({ length: 6 }, () => aRegistration());
    const ids = (await Promise.all(targets.map((input) => signUp(input)))).map(newUserId);
    const locks = await Promise.all(
      ids.map((id) => app.gql(LockUserDoc, { id: id as string }, bearer(adminSession.accessToken))),
    );
    expect(locks.map((r) => r.data?.lockUser.status)).toEqual(ids.map(() => 'LOCKED'));
    const seen = await Promise.all(
      ids.map((id) => app.gql(UserDoc, { id: id as string }, bearer(adminSession.accessToken))),
    );
    expect(seen.map((r) => r.data?.user?.status)).toEqual(ids.map(() => 'LOCKED'));
    const refused = await Promise.all(
      targets.map((p) =>
        loginOutcome(
          app.gql(LoginDoc, { input: { identifier: p.email, password: p.password, deviceId: 'x' } }),
        ),
      ),
    );
    expect(refused).toEqual(targets.map(() => 'INVALID_CREDENTIALS'));
  });

  it('shares the postgres rate-limit counters between two instances, every attempt counted once', async () => {
    // A client address of its own, so the registrations of the other tests count elsewhere.
    const budget = { ...POOLED, RATE_LIMIT_REGISTER_PER_HOUR: '3', TRUSTED_PROXIES: 'loopback' };
    const client = { 'x-forwarded-for': '198.51.100.7' };
    const [a, b] = [
      await startTestApp({ databaseUrl: pooledUrl, env: budget, logLines }),
      await startTestApp({ databaseUrl: pooledUrl, env: budget, logLines }),
    ];
    const registrationCounters = async () =>
      new Map(
        (
          await app.orm.em
            .getConnection()
            .execute<{ key: string; points: number }[]>(
              "select key, points from rate_limits where key like 'register:%'",
            )
        ).map((r) => [r.key, r.points]),
      );
    const before = await registrationCounters();
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          signUp(aRegistration(), i % 2 ? a : b, client).then((r) => errorCode(r) ?? 'OK'),
        ),
      );
      expect(outcomes.sort()).toEqual([...Array(3).fill('OK'), ...Array(7).fill('RATE_LIMITED')]);
      // One counter for the address, in the database, holding all ten attempts.
      const counters = await registrationCounters();
      expect([...counters].filter(([key]) => !before.has(key)).map(([, points]) => points)).toEqual([10]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('links the audit chain through the pooler: the chainer holds its lock for one transaction only', async () => {
    await waitUntil(
      'the chain linked',
      async () => (await auditBacklog(app.orm.em.fork())).pending === 0,
      15_000,
    );
    const verified = await verifyChain(app.orm.em.fork());
    expect(verified).toMatchObject({ valid: true, entriesPending: 0 });
    expect(verified.entriesChecked).toBeGreaterThan(30);
    // The chain's lock never outlives its transaction (a session-level one would stay on a shared
    // server connection for good): between two ticks nobody holds it.
    const holders = async () =>
      (
        await app.orm.em.getConnection().execute<{ held: number }[]>(
          `select count(*)::int as held from pg_locks
            where locktype = 'advisory' and objid = ? and database = (
              select oid from pg_database where datname = current_database())`,
          [CHAIN_LOCK_ID],
        )
      )[0].held;
    let held = await holders();
    for (let i = 0; i < 50 && held > 0; i++) held = await holders();
    expect(held).toBe(0);
  });

  it('pooled in transaction mode, left no server connection listening and logged no job queue error', async () => {
    expect(ours(await bouncer.show('POOLS')).map((p) => p.pool_mode)).toEqual(['transaction']);
    const [stats] = ours(await bouncer.show('STATS'));
    expect(Number(stats?.total_xact_count)).toBeGreaterThan(100);
    // Pin every server connection of the pool, each in a transaction of its own, and ask each what
    // it listens to: a LISTEN sent through the pooler stays with whichever one happened to run it.
    const pinned = Array.from(
      { length: SERVER_CONNECTIONS },
      () => new Client({ connectionString: pooledUrl }),
    );
    await Promise.all(pinned.map((c) => c.connect()));
    try {
      const seen = await Promise.all(
        pinned.map(async (c) => {
          await c.query('begin');
          const [{ pid }] = (await c.query('select pg_backend_pid() as pid')).rows;
          const channels = (await c.query('select pg_listening_channels() as channel')).rows;
          return { pid, channels: channels.map((r) => r.channel) };
        }),
      );
      expect(new Set(seen.map((s) => s.pid)).size).toBe(SERVER_CONNECTIONS);
      expect(seen.flatMap((s) => s.channels)).toEqual([]);
    } finally {
      await Promise.all(pinned.map((c) => c.query('rollback').finally(() => c.end())));
    }
    expect(logLines.filter((l) => /job queue (error|warning)|"level":(50|60)/.test(l))).toEqual([]);
  });
});
