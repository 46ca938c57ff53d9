import { Session } from '../../src/identity/domain/session.entity';
import { purgeExpired } from '../../src/identity/persistence/purge-expired';
import { aUser, signIn } from '../support/factories';
import { LogoutDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

describe('purgeExpired', () => {
  it('deletes ended sessions, expired device trusts and old counters, and keeps what is live', async () => {
    const app = await startTestApp({ env: { RATE_LIMIT_STORE: 'postgres' } });
    try {
      const user = await aUser(app);
      const live = await signIn(app, user, 'live');
      const ended = await signIn(app, user, 'ended');
      await app.gql(LogoutDoc, undefined, bearer(ended.accessToken));
      const em = app.orm.em.fork();
      const count = async (table: string) =>
        (await em.getConnection().execute(`select count(*)::int as n from ${table}`))[0].n as number;
      expect(await count('rate_limits')).toBeGreaterThan(0);

      const now = await purgeExpired(em, new Date());
      expect(now.sessions).toBe(0);
      expect(await em.count(Session, { id: { $in: [live.session.id, ended.session.id] } })).toBe(2);
      const later = await purgeExpired(em, new Date(Date.now() + 100 * 86400_000));
      expect(later.sessions).toBe(2); // the ended one, and the live one long expired by then
      expect(later.deviceTrusts).toBe(2);
      expect(later.rateLimits).toBeGreaterThan(0);
      expect(await count('rate_limits')).toBe(0);
      expect(await em.count(Session, { id: live.session.id })).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('deletes development SMS and mail after 7 days, and keeps the newer ones', async () => {
    const app = await startTestApp({ env: { WORKER: 'off' } });
    try {
      const em = app.orm.em.fork();
      const now = Date.now();
      for (const [id, daysAgo] of [
        ['00000000-0000-4000-8000-000000000001', 8],
        ['00000000-0000-4000-8000-000000000002', 6],
      ] as const) {
        const at = new Date(now - daysAgo * 86400_000);
        await em
          .getConnection()
          .execute(
            'insert into mail_outbox (id, to_address, subject, text, html, created_at) values (?, ?, ?, ?, ?, ?)',
            [id, 'someone@example.com', 'subject', 'text', '<p>html</p>', at],
          );
        await em
          .getConnection()
          .execute('insert into sms_outbox (id, phone, body, created_at) values (?, ?, ?, ?)', [
            id,
            '+264811234567',
            'body',
            at,
          ]);
      }
      const purged = await purgeExpired(em, new Date(now));
      expect(purged).toMatchObject({ mailOutbox: 1, smsOutbox: 1 });
      const left = (await em.getConnection().execute('select id from mail_outbox')) as { id: string }[];
      expect(left.map((r) => r.id)).toEqual(['00000000-0000-4000-8000-000000000002']);
    } finally {
      await app.close();
    }
  });
});
