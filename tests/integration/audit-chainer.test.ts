import type { EntityManager } from '@mikro-orm/postgresql';
import { createAuditTrail } from '../../src/identity/persistence/audit-chain';
import { auditBacklog, createAuditChainer } from '../../src/identity/persistence/audit-chainer';
import { verifyChain } from '../../src/identity/persistence/verify-chain';
import { systemClock } from '../../src/kernel/clock';
import { testClock } from '../support/clock';
import { runOperatorCommand } from '../support/command';
import { anAdmin, aUser } from '../support/factories';
import { AuditLogDoc, VerifyAuditLogDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { waitUntil } from '../support/wait';

const event = (n: number) => ({ type: 'test.staged', data: { n } });
const trail = createAuditTrail({ clock: systemClock, enabled: true });

/** Fails the test instead of hanging when `promise` waits on something that never comes. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Runs `work` in a transaction that stays open until the returned commit() or rollback(). */
async function openTransaction(app: TestApp, work: (tx: EntityManager) => Promise<void>) {
  let finish!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const done = app.orm.em
    .fork()
    .transactional(async (tx) => {
      await work(tx);
      ready();
      if (!(await decided)) throw new Error('rolled back on purpose');
    })
    .catch((err: Error) => {
      if (err.message !== 'rolled back on purpose') throw err;
    });
  await started;
  return {
    commit() {
      finish(true);
      return done;
    },
    rollback() {
      finish(false);
      return done;
    },
  };
}

const linkedData = async (app: TestApp) =>
  (
    await app.orm.em
      .getConnection()
      .execute<{ data: string }[]>(`select data from audit_log where type = 'test.staged' order by sequence`)
  ).map((r) => JSON.parse(r.data).n);

describe('staged audit entries and the chainer', () => {
  let app: TestApp;
  beforeEach(async () => {
    // No worker: nothing links unless the test does.
    app = await startTestApp({ env: { WORKER: 'off' } });
  });
  afterEach(() => app.close());

  it('stages an entry without a shared lock: a transaction holding one open holds up no other append', async () => {
    const open = await openTransaction(app, (tx) => trail.append(tx, [event(1)], {}));
    try {
      await within(5000, trail.appendNow(app.orm.em.fork(), [event(2)], {}), 'a second append');
      await within(
        5000,
        app.orm.em.fork().transactional((tx) => trail.append(tx, [event(3), event(4)], {})),
        'a third append',
      );
    } finally {
      await open.commit();
    }
    expect(await auditBacklog(app.orm.em.fork())).toMatchObject({ pending: 4 });
  });

  it('writes facts recorded at the same moment outside a transaction together, each durable when its caller goes on', async () => {
    const statements: string[] = [];
    const counted = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      statements.length = 0;
      await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          trail.appendNow(counted.orm.em.fork(), [event(n), event(100 + n)], {}),
        ),
      );
      const inserts = statements.filter((sql) => /insert into audit_pending/.test(sql));
      expect(inserts.length).toBeGreaterThanOrEqual(1);
      expect(inserts.length).toBeLessThan(50);
      expect(await auditBacklog(counted.orm.em.fork())).toMatchObject({ pending: 100 });
    } finally {
      await counted.close();
    }
  });

  it('fails only the caller whose fact was refused, even when it travelled with others', async () => {
    const conn = app.orm.em.getConnection();
    await conn.execute(`alter table audit_pending add constraint refuse_test check (type <> 'test.refused')`);
    try {
      // Recorded at the same moment: the last three leave together, after the first on its own.
      const outcomes = await Promise.allSettled([
        trail.appendNow(app.orm.em.fork(), [event(1)], {}),
        trail.appendNow(app.orm.em.fork(), [event(2)], {}),
        trail.appendNow(app.orm.em.fork(), [{ type: 'test.refused', data: {} }], {}),
        trail.appendNow(app.orm.em.fork(), [event(3)], {}),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/refuse_test/);
    } finally {
      await conn.execute('alter table audit_pending drop constraint refuse_test');
    }
    expect(await auditBacklog(app.orm.em.fork())).toMatchObject({ pending: 3 });
  });

  it('links entries committed out of staging order, once each, and never a rolled-back one', async () => {
    const chainer = createAuditChainer({ clock: systemClock, batchSize: 100, leaseMs: 1000 });
    const early = await openTransaction(app, (tx) => trail.append(tx, [event(1)], {}));
    const doomed = await openTransaction(app, (tx) => trail.append(tx, [event(99)], {}));
    await trail.appendNow(app.orm.em.fork(), [event(2)], {});
    expect(await chainer.linkPending(app.orm.em.fork())).toEqual({ linked: 1, leader: true });
    await early.commit();
    await doomed.rollback();
    expect(await chainer.linkPending(app.orm.em.fork())).toEqual({ linked: 1, leader: true });
    expect(await chainer.linkPending(app.orm.em.fork())).toEqual({ linked: 0, leader: true });
    expect(await linkedData(app)).toEqual([2, 1]);
    expect(await verifyChain(app.orm.em.fork())).toMatchObject({
      valid: true,
      entriesChecked: 2,
      entriesPending: 0,
    });
  });

  it('links in batches of the configured size, in staging order', async () => {
    const chainer = createAuditChainer({ clock: systemClock, batchSize: 3, leaseMs: 1000 });
    for (let n = 1; n <= 8; n++) await trail.appendNow(app.orm.em.fork(), [event(n)], {});
    expect(await chainer.linkPending(app.orm.em.fork())).toEqual({ linked: 8, leader: true });
    expect(await linkedData(app)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await verifyChain(app.orm.em.fork())).valid).toBe(true);
  });

  it('elects one chainer: another waits while its lease runs, takes over when it ends or is given up', async () => {
    const clock = testClock();
    const first = createAuditChainer({ clock, batchSize: 100, leaseMs: 3000, instanceId: 'first' });
    const second = createAuditChainer({ clock, batchSize: 100, leaseMs: 3000, instanceId: 'second' });
    await trail.appendNow(app.orm.em.fork(), [event(1)], {});
    expect(await first.linkPending(app.orm.em.fork())).toEqual({ linked: 1, leader: true });

    await trail.appendNow(app.orm.em.fork(), [event(2)], {});
    expect(await second.linkPending(app.orm.em.fork())).toEqual({ linked: 0, leader: false });
    clock.advance(2.999);
    expect(await second.linkPending(app.orm.em.fork())).toEqual({ linked: 0, leader: false });
    // The first chainer went quiet (killed): once its lease has run out, the second takes over.
    clock.advance(0.002);
    expect(await second.linkPending(app.orm.em.fork())).toEqual({ linked: 1, leader: true });
    expect(await first.linkPending(app.orm.em.fork())).toEqual({ linked: 0, leader: false });

    // A clean stop gives the lease up at once.
    await second.release(app.orm.em.fork());
    await trail.appendNow(app.orm.em.fork(), [event(3)], {});
    expect(await first.linkPending(app.orm.em.fork())).toEqual({ linked: 1, leader: true });
    const [head] = await app.orm.em.getConnection().execute('select chainer from audit_head where id = 1');
    expect(head.chainer).toBe('first');
    expect(await linkedData(app)).toEqual([1, 2, 3]);
  });

  it('keeps staged entries unchangeable: UPDATE, TRUNCATE and a DELETE other than the chainer’s are refused', async () => {
    await trail.appendNow(app.orm.em.fork(), [event(1)], {});
    const conn = app.orm.em.getConnection();
    await expect(conn.execute(`update audit_pending set type = 'x'`)).rejects.toThrow(/cannot be changed/);
    await expect(conn.execute(`delete from audit_pending where type = 'test.staged'`)).rejects.toThrow(
      /cannot be changed/,
    );
    await expect(conn.execute('truncate audit_pending')).rejects.toThrow(/cannot be changed/);
    expect(await auditBacklog(app.orm.em.fork())).toMatchObject({ pending: 1 });
  });

  it('reports the backlog and its age', async () => {
    expect(await auditBacklog(app.orm.em.fork())).toEqual({ pending: 0, lagSeconds: 0 });
    await trail.appendNow(app.orm.em.fork(), [event(1), event(2)], {});
    const backlog = await auditBacklog(app.orm.em.fork());
    expect(backlog.pending).toBe(2);
    expect(backlog.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(backlog.lagSeconds).toBeLessThan(60);
  });

  it('shows an admin every entry committed before the request, with no chainer running', async () => {
    const admin = await anAdmin(app);
    const user = await aUser(app);
    const auth = bearer(admin.session.accessToken);
    expect((await auditBacklog(app.orm.em.fork())).pending).toBeGreaterThan(0);
    const log = await app.gql(AuditLogDoc, { filter: { userId: user.id } }, auth);
    expect(log.data?.auditLog.items.map((i) => i.type)).toEqual(['user.registered']);
    const staged = await aUser(app);
    expect(runOperatorCommand(app, 'audit-verify').stdout).toMatch(/; 1 waiting to be linked/);
    const verified = await app.gql(VerifyAuditLogDoc, undefined, auth);
    expect(verified.data?.verifyAuditLog).toMatchObject({ valid: true, entriesPending: 0 });
    expect(
      (await app.gql(AuditLogDoc, { filter: { userId: staged.id } }, auth)).data?.auditLog.totalItems,
    ).toBe(1);
  });
});

describe('the chainer in a process that works jobs', () => {
  it('links an entry within a second of its commit at the default interval, typically', async () => {
    const app = await startTestApp();
    try {
      const linked = () => auditBacklog(app.orm.em.fork()).then((b) => b.pending === 0);
      // Elected and idle first, as a running instance is.
      await aUser(app);
      await waitUntil('the first entries linked', linked);
      const took: number[] = [];
      for (let i = 0; i < 3; i++) {
        await aUser(app);
        took.push(await waitUntil('the new entries linked', linked, 10_000));
      }
      // The median of three, so that one stall of a loaded machine does not decide.
      expect([...took].sort((a, b) => a - b)[1]).toBeLessThan(1_000);
    } finally {
      await app.close();
    }
  });

  it('links staged entries in the background, without anyone asking', async () => {
    const app = await startTestApp({ env: { AUDIT_CHAIN_INTERVAL_MS: '20' } });
    try {
      await aUser(app);
      await waitUntil(
        'staged entries linked',
        async () => (await auditBacklog(app.orm.em.fork())).pending === 0,
        10_000,
      );
      expect(await verifyChain(app.orm.em.fork())).toMatchObject({ valid: true, entriesChecked: 1 });
      expect(runOperatorCommand(app, 'audit-verify').stdout).toMatch(
        /1 entries checked .*; 0 waiting to be linked/,
      );
    } finally {
      await app.close();
    }
  });
});
