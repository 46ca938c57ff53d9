import type { Knex } from '@mikro-orm/postgresql';
import { print } from 'graphql';
import { aUser, signIn } from '../support/factories';
import { UpdateProfileDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

describe('shutdown', () => {
  it('waits for a request whose client already left, so its transaction ends before the pool closes', async () => {
    const logLines: string[] = [];
    const app = await startTestApp({ logLines });
    const user = await aUser(app);
    const login = await signIn(app, user);
    const knex = app.orm.em.getConnection().getKnex();
    // Hold the user's row, so the profile update below waits inside its transaction.
    const holder = await knex.transaction();
    try {
      await holder.raw('select id from users where id = ? for update', [user.id]);
      const client = new AbortController();
      const sent = fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(login.accessToken) },
        body: JSON.stringify({
          query: print(UpdateProfileDoc),
          variables: { input: { username: 'after_abort' } },
        }),
        signal: client.signal,
      }).catch(() => 'aborted');
      await waitForLockWait(knex);
      client.abort();
      expect(await sent).toBe('aborted');

      // The client is gone, yet the handler still runs: not drained until the row is released.
      expect(await app.drained(300)).toBe(false);
      const drained = app.drained(10_000);
      await holder.commit();
      expect(await drained).toBe(true);
      const [row] = await knex('users').where({ id: user.id }).select('username');
      expect(row.username).toBe('after_abort');
      expect(logLines.join('\n')).not.toContain('unexpected error');
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
      await app.close();
    }
  });
});

/** Until some statement waits on a row lock (the update blocked behind the holder). */
async function waitForLockWait(knex: Knex) {
  for (let i = 0; i < 100; i++) {
    const { rows } = await knex.raw(
      "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'",
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the update never waited on the lock');
}
