import { createHash } from 'node:crypto';
import { auditBacklog } from '../../src/identity/persistence/audit-chainer';
import { runOperatorCommand } from '../support/command';
import { errorCode } from '../support/errors';
import { aUser } from '../support/factories';
import { type Instance, startInstance } from '../support/fleet';
import { LoginDoc, MeDoc, RefreshDoc, RevokeSessionDoc, UpdateProfileDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

/**
 * Three instances of the service, each its own process, on one PostgreSQL, under mixed load
 * (sign-ins, refreshes, profile changes); one is killed with SIGKILL mid-run. Every instance
 * works jobs, so each may be the audit chainer.
 */

const USERS = 6;
const LOAD_MS = 2500;

interface Acknowledged {
  /** Request ids of the answers that reported success, by the audit entry they promise. */
  entries: { requestId: string; type: string }[];
  sessions: Set<string>;
  /** Per user: the phone of the last profile change that was answered with success. */
  phones: Map<string, string>;
  /**
   * Per user: a phone sent after that one to the killed instance and never answered. It may have
   * committed before the kill; nothing was promised either way.
   */
  unanswered: Map<string, string>;
  /** Per session: the refresh token last handed out, and how many refreshes were answered. */
  refreshes: Map<string, { token: string; count: number }>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('a fleet of three instances on one PostgreSQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The database, the users and direct SQL; this in-process app works no jobs and never links.
    app = await startTestApp({ env: { WORKER: 'off' } });
  });
  afterAll(() => app.close());

  it.each([
    ['an instance that is not the chainer', false],
    ['the audit chainer', true],
  ])(
    'loses no acknowledged write when %s is killed mid-run',
    async (_name, killChainer) => {
      const env = {
        RATE_LIMIT_STORE: 'postgres',
        RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
        RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
        RATE_LIMIT_REGISTER_PER_HOUR: '100000',
        // Shorter than the default 3 s, for a margin on a loaded machine: takeover is lease + a tick.
        AUDIT_CHAIN_LEASE_MS: '2000',
      };
      const instances = await Promise.all(['a', 'b', 'c'].map((name) => startInstance(app, name, env)));
      try {
        const users = await Promise.all(Array.from({ length: USERS }, () => aUser(app)));
        const acked: Acknowledged = {
          entries: [],
          sessions: new Set(),
          phones: new Map(),
          unanswered: new Map(),
          refreshes: new Map(),
        };

        // Someone has to be the chainer before it can be chosen: the first tick of any instance elects one.
        await waitUntil('a chainer elected', async () => (await chainerPid(app)) !== undefined, 10_000);
        const dead = new Set<Instance>();
        const alive = () => instances.filter((i) => !dead.has(i));

        let stop = false;
        let round = 0;
        const worker = async (userIndex: number) => {
          const user = users[userIndex];
          const deviceId = `fleet-${userIndex}`;
          let session:
            | { id: string; deviceId: string; refreshToken: string; accessToken: string }
            | undefined;
          let step = 0;
          while (!stop) {
            step += 1;
            round += 1;
            const candidates = alive();
            const instance = candidates[(userIndex + step) % candidates.length];
            try {
              if (!session || step % 5 === 0) {
                const device = `${deviceId}-${step}`;
                const res = await instance.gql(LoginDoc, {
                  input: { identifier: user.email, password: user.password, deviceId: device },
                });
                const login = res.data?.login;
                if (login?.__typename === 'AuthPayload' && login.refreshToken) {
                  session = {
                    id: login.session.id,
                    deviceId: device,
                    refreshToken: login.refreshToken,
                    accessToken: login.accessToken,
                  };
                  acked.sessions.add(session.id);
                  acked.refreshes.set(session.id, { token: login.refreshToken, count: 0 });
                  acked.entries.push({ requestId: res.requestId as string, type: 'login.succeeded' });
                }
              } else if (step % 2 === 0) {
                const current = session;
                const res = await instance.gql(RefreshDoc, {
                  input: { refreshToken: current.refreshToken, deviceId: current.deviceId },
                });
                const issued = res.data?.refresh;
                if (issued?.refreshToken) {
                  session = {
                    ...current,
                    refreshToken: issued.refreshToken,
                    accessToken: issued.accessToken,
                  };
                  const seen = acked.refreshes.get(current.id) as { token: string; count: number };
                  // When the killed instance rotated this token without answering, the answer here is a
                  // grace hand-back of that successor, audited as a refresh too.
                  acked.refreshes.set(current.id, { token: issued.refreshToken, count: seen.count + 1 });
                  acked.entries.push({ requestId: res.requestId as string, type: 'session.refreshed' });
                } else if (errorCode(res) === 'UNAUTHENTICATED') {
                  // A rotation the killed instance made but never answered leaves this token retired.
                  session = undefined;
                }
              } else {
                const phone = `+26481${String(userIndex * 100_000 + step).padStart(7, '0')}`;
                acked.unanswered.set(user.id, phone);
                const res = await instance.gql(
                  UpdateProfileDoc,
                  { input: { phone } },
                  bearer(session.accessToken),
                );
                acked.unanswered.delete(user.id);
                if (res.data?.updateProfile.phone === phone) {
                  acked.phones.set(user.id, phone);
                  acked.entries.push({ requestId: res.requestId as string, type: 'profile.changed' });
                } else if (errorCode(res) === 'UNAUTHENTICATED') session = undefined;
              }
            } catch (err) {
              // The killed instance cut the connection: no answer, so nothing was promised.
              if (!dead.has(instance)) throw new Error(`${instance.name} failed while alive: ${err}`);
            }
          }
        };

        const load = Promise.all(users.map((_, i) => worker(i)));
        await waitUntil('the load under way', async () => round > 60, 30_000);
        await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 2));
        // The chainer as it stands now, under load (a lease is always held while instances tick).
        let chainer: number | undefined;
        await waitUntil(
          'a chainer holding the lease',
          async () => {
            chainer = await chainerPid(app);
            return chainer !== undefined;
          },
          10_000,
        );
        const victim = instances.find((i) => (i.pid === chainer) === killChainer) as Instance;
        dead.add(victim);
        await victim.kill();
        const killedAt = performance.now();
        await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 2));
        stop = true;
        await load;

        // The survivors' chainer links every committed entry within 5 s of the kill.
        await waitUntil(
          'every committed entry linked',
          async () => (await auditBacklog(app.orm.em.fork())).pending === 0,
          15_000,
        );
        expect(performance.now() - killedAt).toBeLessThan(5_000);

        // Nothing answered with success is lost: sessions, profile changes, rotations and their audit entries.
        const conn = app.orm.em.getConnection();
        const sessionRows = await conn.execute<
          { id: string; refresh_token_hash: string; generation: number }[]
        >('select id, refresh_token_hash, generation from sessions where id in (?)', [[...acked.sessions]]);
        expect(sessionRows.map((r) => r.id).sort()).toEqual([...acked.sessions].sort());
        for (const row of sessionRows) {
          const last = acked.refreshes.get(row.id) as { token: string; count: number };
          expect(row.generation).toBeGreaterThanOrEqual(last.count);
          // The last token handed out is the current one, unless the killed instance rotated it after.
          if (row.generation === last.count) expect(row.refresh_token_hash).toBe(sha256(last.token));
        }
        const survivor = alive()[0];
        for (const user of users) {
          const phone = acked.phones.get(user.id);
          if (!phone) continue;
          const login = await survivor.gql(LoginDoc, {
            input: { identifier: user.email, password: user.password, deviceId: 'fleet-check' },
          });
          const token = login.data?.login.__typename === 'AuthPayload' ? login.data.login.accessToken : '';
          const me = await survivor.gql(MeDoc, undefined, bearer(token));
          const unanswered = acked.unanswered.get(user.id);
          if (unanswered) expect([phone, unanswered]).toContain(me.data?.me.phone);
          else expect(me.data?.me.phone).toBe(phone);
        }
        const logged = await conn.execute<{ request_id: string; type: string }[]>(
          'select request_id, type from audit_log where request_id in (?)',
          [acked.entries.map((e) => e.requestId)],
        );
        const found = new Set(logged.map((r) => `${r.request_id} ${r.type}`));
        const missing = acked.entries.filter((e) => !found.has(`${e.requestId} ${e.type}`));
        expect(missing).toEqual([]);
        expect(acked.entries.length).toBeGreaterThan(30);

        const verify = runOperatorCommand(app, 'audit-verify');
        expect(verify.stdout).toMatch(/audit chain intact/);
        expect(verify.status).toBe(0);

        // Revocation made on one survivor is seen on the other within 1 s.
        const [one, other] = alive();
        const owner = users[0];
        const signInOn = async (instance: Instance, deviceId: string) => {
          const res = await instance.gql(LoginDoc, {
            input: { identifier: owner.email, password: owner.password, deviceId },
          });
          if (res.data?.login.__typename !== 'AuthPayload') throw new Error(`sign-in failed: ${res.raw}`);
          return res.data.login;
        };
        const revoker = await signInOn(one, 'fleet-revoker');
        const revoked = await signInOn(other, 'fleet-revoked');
        expect((await other.gql(MeDoc, undefined, bearer(revoked.accessToken))).data?.me.id).toBe(owner.id);
        const answer = await one.gql(
          RevokeSessionDoc,
          { id: revoked.session.id },
          bearer(revoker.accessToken),
        );
        expect(answer.data?.revokeSession).toBe(true);
        const seenAfter = await waitUntil(
          'the revocation seen on the other instance',
          async () =>
            errorCode(await other.gql(MeDoc, undefined, bearer(revoked.accessToken))) === 'UNAUTHENTICATED',
          5_000,
        );
        expect(seenAfter).toBeLessThan(1_000);
      } finally {
        await Promise.all(instances.map((i) => i.stop()));
      }
    },
    180_000,
  );
});

/** The pid of the instance holding the chainer's lease, from the head row (`host:pid:random`). */
async function chainerPid(app: TestApp): Promise<number | undefined> {
  const [head] = await app.orm.em
    .getConnection()
    .execute<{ chainer: string | null; live: boolean }[]>(
      'select chainer, chainer_until > now() as live from audit_head where id = 1',
    );
  return head?.chainer && head.live ? Number(head.chainer.split(':')[1]) : undefined;
}
