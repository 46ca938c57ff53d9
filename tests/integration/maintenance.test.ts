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
});
