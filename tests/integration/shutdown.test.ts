import { print } from 'graphql';
import { aUser, signIn } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { UpdateProfileDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

describe('shutdown', () => {
  it('waits for a request whose client already left, so its transaction ends before the pool closes', async () => {
    const logLines: string[] = [];
    const app = await startTestApp({ logLines });
    const user = await aUser(app);
    const login = await signIn(app, user);
    // Hold the user's row, so the profile update below waits inside its transaction.
    const holder = await holdRowLock(app.databaseUrl, 'select id from users where id = $1 for update', [
      user.id,
    ]);
    let released = false;
    try {
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
      await waitForLockWaits(holder.client, 'update "users"');
      client.abort();
      expect(await sent).toBe('aborted');

      // The client is gone, yet the handler still runs: not drained until the row is released.
      expect(await app.drained(300)).toBe(false);
      const drained = app.drained(10_000);
      released = true;
      await holder.release();
      expect(await drained).toBe(true);
      const [row] = await app.orm.em
        .fork()
        .getConnection()
        .execute('select username from users where id = ?', [user.id]);
      expect(row.username).toBe('after_abort');
      expect(logLines.join('\n')).not.toContain('unexpected error');
    } finally {
      if (!released) await holder.release();
      await app.close();
    }
  });
});
