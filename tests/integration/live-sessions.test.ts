import { errorCode } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import {
  MeDoc,
  RefreshDoc,
  RevokeSessionDoc,
  SetUserRoleDoc,
  SuspendUserDoc,
  UpdateProfileDoc,
} from '../support/operations';
import { startTcpProxy } from '../support/tcp-proxy';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

/**
 * Each instance keeps the live sessions it authenticated, so that `me` and every other
 * authenticated request need no database read, and PostgreSQL tells every instance (LISTEN/NOTIFY)
 * of each change that could end a session or alter an account. Whenever the listener is not known
 * to be connected, every request reads the database again.
 */

/** The authentication query of this app's requests (the live-session check). */
const isSessionCheck = (sql: string) => /from sessions s join users u on u\.id = s\.user_id/.test(sql);

/**
 * Waits until a read is served from memory. A sign-in changes the account row (its last sign-in),
 * and that change's notification may reach an instance just after it began its first read, which
 * is then rightly not stored: the next read goes to the database again. So a test waits for the
 * cache to fill rather than counting on the second read.
 */
const fromMemory = (read: () => Promise<{ reads: number }>) =>
  waitUntil('a read served from memory', async () => (await read()).reads === 0, 5_000);

const listening = (app: TestApp) =>
  waitUntil('the listener connected', async () => !!app.service.liveSessions?.listener.connected(), 10_000);

describe('the cache of live sessions', () => {
  let writer: TestApp;
  let reader: TestApp;
  const readerStatements: string[] = [];
  beforeAll(async () => {
    writer = await startTestApp();
    reader = await startTestApp({
      databaseUrl: writer.databaseUrl,
      onQuery: (sql) => readerStatements.push(sql),
    });
    await listening(reader);
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  /** `me` on the reader; how many session checks it sent to the database. */
  async function meOnReader(accessToken: string) {
    readerStatements.length = 0;
    const res = await reader.gql(MeDoc, undefined, bearer(accessToken));
    return { res, reads: readerStatements.filter(isSessionCheck).length };
  }

  it('authenticates a session from memory once it has been read', async () => {
    const session = await signIn(writer, await aUser(writer));
    const first = await meOnReader(session.accessToken);
    expect(first.res.data?.me.id).toBe(session.user.id);
    expect(first.reads).toBe(1);
    await fromMemory(() => meOnReader(session.accessToken));
    const cached = await meOnReader(session.accessToken);
    expect(cached.res.data?.me.id).toBe(session.user.id);
    expect(cached.reads).toBe(0);
  });

  it('sees a session revoked on another instance within 1 s', async () => {
    const user = await aUser(writer);
    const kept = await signIn(writer, user, 'kept-device');
    const doomed = await signIn(writer, user, 'doomed-device');
    await fromMemory(() => meOnReader(doomed.accessToken));

    const revoked = await writer.gql(RevokeSessionDoc, { id: doomed.session.id }, bearer(kept.accessToken));
    expect(revoked.data?.revokeSession).toBe(true);
    const took = await waitUntil(
      'the revocation seen on the reader',
      async () => errorCode((await meOnReader(doomed.accessToken)).res) === 'UNAUTHENTICATED',
      5_000,
    );
    expect(took).toBeLessThan(1_000);
    // The other session of the same account goes on.
    expect((await meOnReader(kept.accessToken)).res.data?.me.id).toBe(user.id);
  });

  it('sees an account suspended or changed on another instance within 1 s', async () => {
    const admin = await anAdmin(writer);
    const user = await aUser(writer);
    const session = await signIn(writer, user);
    // Served from memory twice: the second is answered from the account view the first one left.
    await fromMemory(() => meOnReader(session.accessToken));
    const shown = await meOnReader(session.accessToken);
    expect({ reads: shown.reads, phone: shown.res.data?.me.phone }).toEqual({ reads: 0, phone: null });

    await writer.gql(UpdateProfileDoc, { input: { phone: '+264811234567' } }, bearer(session.accessToken));
    const changed = await waitUntil(
      'the new phone seen on the reader',
      async () => (await meOnReader(session.accessToken)).res.data?.me.phone === '+264811234567',
      5_000,
    );
    expect(changed).toBeLessThan(1_000);
    // And from memory again: the view left before the change went with its entry.
    await fromMemory(() => meOnReader(session.accessToken));
    for (let i = 0; i < 2; i++) {
      const again = await meOnReader(session.accessToken);
      expect({ reads: again.reads, phone: again.res.data?.me.phone }).toEqual({
        reads: 0,
        phone: '+264811234567',
      });
    }

    const suspended = await writer.gql(SuspendUserDoc, { id: user.id }, bearer(admin.session.accessToken));
    expect(suspended.errors).toBeUndefined();
    const took = await waitUntil(
      'the suspension seen on the reader',
      async () => errorCode((await meOnReader(session.accessToken)).res) === 'UNAUTHENTICATED',
      5_000,
    );
    expect(took).toBeLessThan(1_000);
  });
});

describe('a change made on this instance', () => {
  it('applies to its very next request, before PostgreSQL’s notification arrives', async () => {
    const app = await startTestApp();
    const direct = new URL(app.databaseUrl);
    const relay = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const statements: string[] = [];
    // The same database, its notifications heard 100 ms late (the heartbeat, 200 ms there and back, still answers in time).
    const local = await startTestApp({
      databaseUrl: app.databaseUrl,
      env: { DATABASE_LISTEN_URL: relay.through(app.databaseUrl) },
      onQuery: (sql) => statements.push(sql),
    });
    try {
      await listening(local);
      relay.lag(100);
      const admin = await anAdmin(local);
      const user = await aUser(local);
      const session = await signIn(local, user);
      const me = async () => {
        statements.length = 0;
        const res = await local.gql(MeDoc, undefined, bearer(session.accessToken));
        return { role: res.data?.me.role, reads: statements.filter(isSessionCheck).length };
      };
      await fromMemory(me);
      expect(await me()).toEqual({ role: 'USER', reads: 0 });
      expect(local.service.liveSessions?.listener.connected()).toBe(true);
      await local.gql(SetUserRoleDoc, { id: user.id, role: 'ADMIN' }, bearer(admin.session.accessToken));
      expect(await me()).toEqual({ role: 'ADMIN', reads: 1 });
    } finally {
      await local.close();
      await relay.close();
      await app.close();
    }
  });
});

describe('a refresh', () => {
  it('leaves the session and its account cached on this instance: nothing authentication reads changed', async () => {
    const statements: string[] = [];
    const app = await startTestApp({ onQuery: (sql) => statements.push(sql) });
    try {
      await listening(app);
      const session = await signIn(app, await aUser(app));
      const me = async (accessToken: string) => {
        statements.length = 0;
        const res = await app.gql(MeDoc, undefined, bearer(accessToken));
        return { id: res.data?.me.id, reads: statements.filter(isSessionCheck).length };
      };
      await fromMemory(() => me(session.accessToken));
      const refreshed = await app.gql(RefreshDoc, {
        input: { refreshToken: session.refreshToken, deviceId: 'device-1' },
      });
      const accessToken = refreshed.data?.refresh.accessToken as string;
      expect(accessToken).toMatch(/^ey/);
      // The new access token names the same session, still cached.
      expect(await me(accessToken)).toEqual({ id: session.user.id, reads: 0 });
    } finally {
      await app.close();
    }
  });
});

describe('a request that reads no entity', () => {
  it('forks no unit of work: neither a document without entities nor `me` served from memory', async () => {
    const statements: string[] = [];
    const app = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      await listening(app);
      const session = await signIn(app, await aUser(app));
      await fromMemory(async () => {
        statements.length = 0;
        await app.gql(MeDoc, undefined, bearer(session.accessToken));
        return { reads: statements.filter(isSessionCheck).length };
      });
      const fork = jest.spyOn(app.orm.em, 'fork');
      const requests = 40;
      for (let i = 0; i < requests / 2; i++) {
        expect((await app.gql(MeDoc, undefined, bearer(session.accessToken))).data?.me.id).toBe(
          session.user.id,
        );
        expect((await app.post({ query: '{ __typename }' })).status).toBe(200);
      }
      // The instance's own background work may fork meanwhile; one fork per request would be 40.
      expect(fork.mock.calls.length).toBeLessThan(requests / 4);
    } finally {
      jest.restoreAllMocks();
      await app.close();
    }
  });
});

describe('a truncated table', () => {
  it('empties every instance’s cache: TRUNCATE fires no row trigger, so it says so for the whole table', async () => {
    const writer = await startTestApp();
    const reader = await startTestApp({ databaseUrl: writer.databaseUrl });
    try {
      await listening(reader);
      const session = await signIn(writer, await aUser(writer));
      expect((await reader.gql(MeDoc, undefined, bearer(session.accessToken))).data?.me.id).toBe(
        session.user.id,
      );
      await writer.orm.em.getConnection().execute('truncate sessions cascade');
      await waitUntil(
        'the truncation seen on the reader',
        async () =>
          errorCode(await reader.gql(MeDoc, undefined, bearer(session.accessToken))) === 'UNAUTHENTICATED',
        5_000,
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe('when the listener cannot be trusted', () => {
  it('reads the database for every request, so a revocation is seen at once, and caches again once it listens', async () => {
    const writer = await startTestApp();
    const direct = new URL(writer.databaseUrl);
    const relay = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const statements: string[] = [];
    const reader = await startTestApp({
      databaseUrl: writer.databaseUrl,
      env: { DATABASE_LISTEN_URL: relay.through(writer.databaseUrl) },
      onQuery: (sql) => statements.push(sql),
    });
    const reads = async (accessToken: string) => {
      statements.length = 0;
      const res = await reader.gql(MeDoc, undefined, bearer(accessToken));
      return { res, reads: statements.filter(isSessionCheck).length };
    };
    try {
      await listening(reader);
      const user = await aUser(writer);
      const kept = await signIn(writer, user, 'kept-device');
      const doomed = await signIn(writer, user, 'doomed-device');
      await fromMemory(() => reads(doomed.accessToken));

      // A silent network: the listener's connection stays open, but nothing is heard. Within a
      // second its heartbeat is overdue and the cache is not used; the revocation made meanwhile
      // (which the listener never hears) is seen by the next request all the same.
      relay.stall();
      // It is within 900 ms of the last heartbeat answered; the margin is for a loaded machine.
      await waitUntil(
        'the listener no longer trusted',
        async () => !reader.service.liveSessions?.listener.connected(),
        5_000,
      );
      await writer.gql(RevokeSessionDoc, { id: doomed.session.id }, bearer(kept.accessToken));
      const after = await reads(doomed.accessToken);
      expect(errorCode(after.res)).toBe('UNAUTHENTICATED');
      expect(after.reads).toBe(1);
      expect((await reads(kept.accessToken)).reads).toBe(1);
      expect((await reads(kept.accessToken)).reads).toBe(1);

      // Connections cut outright: still no cache.
      await relay.cut();
      expect((await reads(kept.accessToken)).reads).toBe(1);

      // Back: the listener connects again, forgets what it held, and caches anew.
      await relay.restore();
      await waitUntil(
        'the listener connected again',
        async () => !!reader.service.liveSessions?.listener.connected(),
        15_000,
      );
      await fromMemory(() => reads(kept.accessToken));
    } finally {
      await reader.close();
      await relay.close();
      await writer.close();
    }
  });

  it('is off behind a transaction pooler with no direct listen URL, and with AUTH_CACHE=false', async () => {
    const pooled = await startTestApp({ env: { DATABASE_POOL_MODE: 'transaction' } });
    const off = await startTestApp({ env: { AUTH_CACHE: 'false' } });
    try {
      expect(pooled.service.liveSessions).toBeUndefined();
      expect(off.service.liveSessions).toBeUndefined();
    } finally {
      await pooled.close();
      await off.close();
    }
  });
});
