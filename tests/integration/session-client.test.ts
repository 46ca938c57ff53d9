import { migratorOf } from '../../src/adapters/database/orm';
import { graphql } from '../gql';
import { testClock } from '../support/clock';
import { aUser } from '../support/factories';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const SessionClientLoginDoc = graphql(`
  mutation SessionClientLogin($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on AuthPayload {
        accessToken
        refreshToken
        session { id userAgent ipAddress createdAt lastUsedAt }
      }
    }
  }
`);

const SessionClientSessionsDoc = graphql(`
  query SessionClientSessions {
    mySessions { id deviceId current userAgent ipAddress createdAt lastUsedAt }
  }
`);

const SessionClientRefreshDoc = graphql(`
  mutation SessionClientRefresh($input: RefreshInput!) {
    refresh(input: $input) {
      accessToken
      session { id userAgent ipAddress createdAt lastUsedAt }
    }
  }
`);

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

const clock = testClock(new Date('2026-12-01T12:00:00.000Z'));
let app: TestApp;
beforeAll(async () => {
  // Behind a proxy on loopback: the client address comes from X-Forwarded-For.
  app = await startTestApp({ clock, env: { TRUSTED_PROXIES: 'loopback' } });
});
afterAll(() => app.close());

async function login(
  user: { email: string; password: string },
  deviceId: string,
  headers: Record<string, string>,
) {
  const res = await app.gql(
    SessionClientLoginDoc,
    { input: { identifier: user.email, password: user.password, deviceId } },
    headers,
  );
  const payload = res.data?.login;
  if (payload?.__typename !== 'AuthPayload') throw new Error(`sign-in failed: ${res.raw}`);
  return payload;
}

describe('the client of a session', () => {
  it('shows the browser, OS and client address a device signed in with, in mySessions', async () => {
    const user = await aUser(app);
    const mac = await login(user, 'mac', { 'user-agent': CHROME_ON_MAC, 'x-forwarded-for': '203.0.113.7' });
    expect(mac.session).toMatchObject({ userAgent: 'Chrome 131 on macOS', ipAddress: '203.0.113.7' });

    clock.advance(5);
    // A client that names no browser, seen without a proxy in between.
    await login(user, 'script', { 'user-agent': 'curl/8.4.0' });

    const res = await app.gql(SessionClientSessionsDoc, undefined, bearer(mac.accessToken));
    expect(res.errors).toBeUndefined();
    const sessions = res.data?.mySessions ?? [];
    expect(
      sessions.map(({ deviceId, userAgent, ipAddress }) => ({ deviceId, userAgent, ipAddress })),
    ).toEqual([
      { deviceId: 'script', userAgent: null, ipAddress: '127.0.0.1' },
      { deviceId: 'mac', userAgent: 'Chrome 131 on macOS', ipAddress: '203.0.113.7' },
    ]);
    const current = sessions.find((s) => s.current);
    expect(current?.deviceId).toBe('mac');
    expect(current?.lastUsedAt).not.toBeNull();
    expect(new Date(current?.lastUsedAt as string)).toEqual(new Date(current?.createdAt as string));
  });

  it('keeps the client as of sign-in across refreshes, while lastUsedAt moves on', async () => {
    const user = await aUser(app);
    const mac = await login(user, 'mac', { 'user-agent': CHROME_ON_MAC, 'x-forwarded-for': '203.0.113.8' });
    clock.advance(60);
    const res = await app.gql(
      SessionClientRefreshDoc,
      { input: { refreshToken: mac.refreshToken, deviceId: 'mac' } },
      { 'user-agent': FIREFOX_ON_WINDOWS, 'x-forwarded-for': '198.51.100.9' },
    );
    expect(res.errors).toBeUndefined();
    const session = res.data?.refresh.session;
    expect(session).toMatchObject({
      id: mac.session.id,
      userAgent: 'Chrome 131 on macOS',
      ipAddress: '203.0.113.8',
    });
    expect(new Date(session?.lastUsedAt as string)).toEqual(clock.now());

    const listed = await app.gql(
      SessionClientSessionsDoc,
      undefined,
      bearer(res.data?.refresh.accessToken ?? ''),
    );
    expect(listed.data?.mySessions).toEqual([
      expect.objectContaining({
        id: mac.session.id,
        userAgent: 'Chrome 131 on macOS',
        ipAddress: '203.0.113.8',
      }),
    ]);
  });

  it('stores last_used_at NOT NULL; the migration fills the gaps with created_at', async () => {
    const user = await aUser(app);
    await login(user, 'old', {});
    const sql = app.orm.em.getConnection();
    const column = async (name: string) =>
      (
        await sql.execute(
          `select is_nullable, data_type from information_schema.columns where table_name = 'sessions' and column_name = ?`,
          [name],
        )
      )[0];
    expect(await column('last_used_at')).toEqual({
      is_nullable: 'NO',
      data_type: 'timestamp with time zone',
    });
    expect(await column('user_agent')).toEqual({ is_nullable: 'YES', data_type: 'text' });
    expect(await column('ip_address')).toEqual({ is_nullable: 'YES', data_type: 'text' });

    // Back to before the migration, with sessions that were never used, then forward again.
    const migrator = await migratorOf(app.orm);
    await migrator.down({ migrations: ['Migration20261201173000_session_client'] });
    expect(await column('user_agent')).toBeUndefined();
    await sql.execute(`update sessions set last_used_at = null, created_at = created_at - interval '1 day'`);
    await migrator.up({ migrations: ['Migration20261201173000_session_client'] });
    const [gaps] = await sql.execute(
      `select count(*)::int as unfilled from sessions where last_used_at is distinct from created_at`,
    );
    expect(gaps).toEqual({ unfilled: 0 });
    expect(await column('last_used_at')).toEqual({
      is_nullable: 'NO',
      data_type: 'timestamp with time zone',
    });
  });
});
