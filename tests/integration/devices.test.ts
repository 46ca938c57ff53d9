import { Session } from '../../src/identity/domain/session.entity';
import { purgeEndedSessions } from '../../src/identity/persistence/purge-sessions';
import { testClock } from '../support/clock';
import { runOperatorCommand } from '../support/command';
import { meCode } from '../support/errors';
import { aUser, signIn } from '../support/factories';
import { LogoutDoc, MySessionsDoc, RevokeAllSessionsDoc, RevokeSessionDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { jwtHeader, UUID_FORMAT } from '../support/tokens';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

describe('sessions per device', () => {
  it('lists the live sessions and marks the current one', async () => {
    const user = await aUser(app);
    const phone = await signIn(app, user, 'phone');
    clock.advance(1);
    await signIn(app, user, 'laptop');
    const res = await app.gql(MySessionsDoc, undefined, bearer(phone.accessToken));
    const sessions = res.data?.mySessions ?? [];
    expect(sessions.map((s) => [s.deviceId, s.current])).toEqual([
      ['laptop', false],
      ['phone', true],
    ]);
  });

  it('revokes one of my devices at once, and answers NOT_FOUND for a session that is not mine', async () => {
    const me = await aUser(app);
    const other = await aUser(app);
    const phone = await signIn(app, me, 'phone');
    const laptop = await signIn(app, me, 'laptop');
    const stranger = await signIn(app, other, 'phone');

    const notMine = await app.gql(RevokeSessionDoc, { id: stranger.session.id }, bearer(phone.accessToken));
    expect(notMine.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const bogus = await app.gql(RevokeSessionDoc, { id: 'not-a-uuid' }, bearer(phone.accessToken));
    expect(bogus.errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect(await meCode(app, stranger.accessToken)).toBe('OK');

    const ok = await app.gql(RevokeSessionDoc, { id: laptop.session.id }, bearer(phone.accessToken));
    expect(ok.data?.revokeSession).toBe(true);
    expect(await meCode(app, laptop.accessToken)).toBe('UNAUTHENTICATED');
    expect(await meCode(app, phone.accessToken)).toBe('OK');
    const again = await app.gql(RevokeSessionDoc, { id: laptop.session.id }, bearer(phone.accessToken));
    expect(again.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('revokes all sessions, keeping the current one when asked', async () => {
    const user = await aUser(app);
    const [a, b, c] = [
      await signIn(app, user, 'a'),
      await signIn(app, user, 'b'),
      await signIn(app, user, 'c'),
    ];
    const kept = await app.gql(RevokeAllSessionsDoc, { keepCurrent: true }, bearer(a.accessToken));
    expect(kept.data?.revokeAllSessions).toBe(2);
    expect([
      await meCode(app, a.accessToken),
      await meCode(app, b.accessToken),
      await meCode(app, c.accessToken),
    ]).toEqual(['OK', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    const all = await app.gql(RevokeAllSessionsDoc, {}, bearer(a.accessToken));
    expect(all.data?.revokeAllSessions).toBe(1);
    expect(await meCode(app, a.accessToken)).toBe('UNAUTHENTICATED');
  });

  it('makes a revocation on one instance bite on another instance of the service within a second', async () => {
    const second = await startTestApp({ databaseUrl: app.databaseUrl, clock });
    try {
      const user = await aUser(app);
      const login = await signIn(app, user, 'shared');
      expect(await meCode(second, login.accessToken)).toBe('OK');
      const started = Date.now();
      await app.gql(LogoutDoc, undefined, bearer(login.accessToken));
      let code = await meCode(second, login.accessToken);
      while (code === 'OK' && Date.now() - started < 1000) code = await meCode(second, login.accessToken);
      expect(code).toBe('UNAUTHENTICATED');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await second.close();
    }
  });

  it('purges sessions that ended more than a week ago', async () => {
    const user = await aUser(app);
    const login = await signIn(app, user, 'old');
    await app.gql(LogoutDoc, undefined, bearer(login.accessToken));
    const em = app.orm.em.fork();
    expect(await purgeEndedSessions(em, clock.now())).toBe(0);
    const later = new Date(clock.now().getTime() + 7 * 86400_000 + 1000);
    expect(await purgeEndedSessions(em, later)).toBeGreaterThanOrEqual(1);
    expect(await em.count(Session, { id: login.session.id })).toBe(0);
  });
});

describe('signing key rotation', () => {
  it('keeps old tokens valid and both keys in JWKS until the old tokens have expired', async () => {
    const jwksKids = async () =>
      (
        (await (await fetch(`${app.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
      ).keys.map((k) => k.kid);
    const before = await signIn(app, await aUser(app), 'rotation');
    const oldKid = jwtHeader(before.accessToken).kid;

    const run = runOperatorCommand(app, 'keys-rotate');
    expect(run.status).toBe(0);
    const newKid = /new signing key: (\S+)/.exec(run.stdout)?.[1];
    expect(newKid).toMatch(UUID_FORMAT);
    expect(newKid).not.toBe(oldKid);

    clock.advance(31); // the key cache of a running instance
    expect(await jwksKids()).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(await meCode(app, before.accessToken)).toBe('OK');
    const after = await signIn(app, await aUser(app), 'rotation');
    expect(jwtHeader(after.accessToken).kid).toBe(newKid);

    clock.advance(15 * 60 + 30);
    const kids = await jwksKids();
    expect(kids).toContain(newKid);
    expect(kids).not.toContain(oldKid);
  });
});
