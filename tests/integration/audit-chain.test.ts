import { randomUUID } from 'node:crypto';
import { createAuditTrail } from '../../src/identity/persistence/audit-chain';
import { createAuditChainer } from '../../src/identity/persistence/audit-chainer';
import { verifyChain } from '../../src/identity/persistence/verify-chain';
import { systemClock } from '../../src/kernel/clock';
import { linkAudit, tamper } from '../support/audit';
import { runOperatorCommand } from '../support/command';
import { anAdmin, aUser, signIn } from '../support/factories';
import { AuditLogDoc, VerifyAuditLogDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** An app whose chain holds a known number of entries. */
async function appWithChain(): Promise<TestApp> {
  const app = await startTestApp();
  for (let i = 0; i < 3; i++) await signIn(app, await aUser(app)); // 3 × (registered, login, session) = 9 entries
  await linkAudit(app);
  return app;
}
/** Links what is staged, then verifies. */
const verify = async (app: TestApp) => {
  await linkAudit(app);
  return verifyChain(app.orm.em.fork());
};

describe('audit hash chain', () => {
  it('does not fork under 50 parallel writers while several chainers race to link', async () => {
    const app = await startTestApp();
    const errors: unknown[] = [];
    const chainers = Array.from({ length: 3 }, (_, i) =>
      createAuditChainer({ clock: systemClock, batchSize: 7, leaseMs: 50, instanceId: `racer-${i}` }),
    );
    const stops = chainers.map((c) =>
      c.start({
        em: () => app.orm.em.fork(),
        intervalMs: 1,
        onError: (err) => errors.push(err),
      }),
    );
    try {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          await aUser(app);
          // Forced links (an admin reading the log) run beside the elected chainer.
          if (i % 10 === 0) await chainers[0].linkPending(app.orm.em.fork(), { force: true });
        }),
      );
      await Promise.all(stops.map((stop) => stop()));
      expect(errors).toEqual([]);
      const result = await verify(app);
      expect(result).toMatchObject({ valid: true, entriesChecked: 50, lastSequence: 50 });
      const rows = await app.orm.em
        .getConnection()
        .execute('select count(distinct previous_hash)::int as n from audit_log');
      expect(rows[0].n).toBe(50);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
      await app.close();
    }
  });

  it('chains entries staged one and several at a time, whatever the text', async () => {
    const app = await startTestApp();
    try {
      const trail = createAuditTrail({ clock: systemClock, enabled: true });
      const meta = { requestId: 'req-ü-1', ip: '2001:db8::1', userAgent: 'Agent "quoted" \\ ünïcødé ✓ 🦓' };
      const event = (n: number) => ({
        type: 'test.event',
        data: { n, text: 'line\nbreak, tab\t, "quote", emoji 🇳🇦, zero\u0000', nested: { z: 1, a: [1, 'ß'] } },
      });
      const em = app.orm.em.fork();
      await trail.appendNow(em, [event(1)], { meta });
      await trail.appendNow(em, [event(2), event(3)], { meta, actorId: randomUUID() });
      await trail.appendNow(em, [event(4)], { meta: { ...meta, userAgent: undefined } });
      expect(await verify(app)).toMatchObject({ valid: true, entriesChecked: 4, lastSequence: 4 });
    } finally {
      await app.close();
    }
  });

  it('is append-only in PostgreSQL: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const app = await appWithChain();
    try {
      const conn = app.orm.em.getConnection();
      await expect(conn.execute(`update audit_log set type = 'x' where sequence = 1`)).rejects.toThrow(
        /append-only/,
      );
      await expect(conn.execute('delete from audit_log where sequence = 1')).rejects.toThrow(/append-only/);
      await expect(conn.execute('truncate audit_log')).rejects.toThrow(/append-only/);
      expect((await verify(app)).valid).toBe(true);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['an edited entry', `update audit_log set data = '{"reason":"nothing"}' where sequence = 4`, 4],
    ['a deleted entry', 'delete from audit_log where sequence = 5', 5],
    [
      'two entries swapped',
      `update audit_log a set type = b.type, data = b.data, subject_id = b.subject_id, actor_id = b.actor_id,
                              occurred_at = b.occurred_at, hash = b.hash
         from audit_log b where (a.sequence, b.sequence) in ((6, 7), (7, 6))`,
      6,
    ],
    [
      'an inserted entry',
      `insert into audit_log select 10, gen_random_uuid(), 'user.role_changed', actor_id, subject_id, client_ip, user_agent,
              request_id, occurred_at, '{"from":"USER","to":"ADMIN"}', hash, repeat('f', 64)
         from audit_log where sequence = 9`,
      10,
    ],
    ['a removed tail', 'delete from audit_log where sequence = 9', 9],
  ])('names the first broken sequence after %s', async (_name, sql, broken) => {
    const app = await appWithChain();
    try {
      expect((await verify(app)).valid).toBe(true);
      await tamper(app, sql);
      expect(await verify(app)).toMatchObject({ valid: false, firstBrokenSequence: broken });
      const cli = runOperatorCommand(app, 'audit-verify');
      expect(cli.status).toBe(3);
      expect(cli.stderr).toContain(`BROKEN at sequence ${broken}`);
    } finally {
      await app.close();
    }
  });

  // Five operator commands, each a process of its own: longer than the default test timeout on a busy machine.
  it('verifies from the command line, fully or incrementally from a checkpoint', async () => {
    const app = await appWithChain();
    try {
      const full = runOperatorCommand(app, 'audit-verify');
      expect(full.status).toBe(0);
      expect(full.stdout).toMatch(/intact \(full chain\): 9 entries checked up to sequence 9/);
      expect(runOperatorCommand(app, 'audit-verify', ['--incremental']).stdout).toMatch(/9 entries checked/);
      await signIn(app, await aUser(app));
      await linkAudit(app);
      const next = runOperatorCommand(app, 'audit-verify', ['--incremental']);
      expect(next.stdout).toMatch(/from checkpoint at sequence 9\): 3 entries checked up to sequence 12/);
      // Tampering before the checkpoint is the full mode's job: the routine run trusts the verified prefix.
      await tamper(app, `update audit_log set data = '{}' where sequence = 2`);
      expect(runOperatorCommand(app, 'audit-verify', ['--incremental']).status).toBe(0);
      expect(runOperatorCommand(app, 'audit-verify').status).toBe(3);
    } finally {
      await app.close();
    }
  }, 120_000);
});

describe('auditLog and verifyAuditLog', () => {
  it('are admin-only', async () => {
    const app = await appWithChain();
    try {
      const user = await signIn(app, await aUser(app), 'u');
      expect((await app.gql(AuditLogDoc, {}, bearer(user.accessToken))).errors?.[0].extensions.code).toBe(
        'FORBIDDEN',
      );
      expect(
        (await app.gql(VerifyAuditLogDoc, undefined, bearer(user.accessToken))).errors?.[0].extensions.code,
      ).toBe('FORBIDDEN');
      expect((await app.gql(AuditLogDoc, {})).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await app.close();
    }
  });

  it('paginates and filters by user, type and time, newest first; verifyAuditLog reports the chain', async () => {
    const app = await appWithChain();
    try {
      const admin = await anAdmin(app);
      const auth = bearer(admin.session.accessToken);
      const target = await aUser(app);
      await signIn(app, target, 't');
      const all = await app.gql(AuditLogDoc, { pageSize: 5 }, auth);
      expect(all.data?.auditLog).toMatchObject({
        page: 1,
        pageSize: 5,
        totalPages: Math.ceil((all.data?.auditLog.totalItems ?? 0) / 5),
      });
      const seqs = all.data?.auditLog.items.map((i) => i.sequence) ?? [];
      expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);

      const mine = await app.gql(AuditLogDoc, { filter: { userId: target.id } }, auth);
      expect(mine.data?.auditLog.items.map((i) => i.type).reverse()).toEqual([
        'user.registered',
        'login.succeeded',
        'session.created',
      ]);
      expect(mine.data?.auditLog.items[0].subject).toEqual({ id: target.id, username: target.username });
      expect(mine.data?.auditLog.items.find((i) => i.type === 'login.succeeded')?.actor?.id).toBe(target.id);

      const typed = await app.gql(AuditLogDoc, { filter: { type: 'user.registered' } }, auth);
      expect(typed.data?.auditLog.items.every((i) => i.type === 'user.registered')).toBe(true);
      const future = await app.gql(
        AuditLogDoc,
        { filter: { from: new Date(Date.now() + 60_000).toISOString() } },
        auth,
      );
      expect(future.data?.auditLog.totalItems).toBe(0);
      const bad = await app.gql(AuditLogDoc, { pageSize: 101 }, auth);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pageSize' });

      const verified = await app.gql(VerifyAuditLogDoc, undefined, auth);
      expect(verified.data?.verifyAuditLog).toMatchObject({ valid: true, firstBrokenSequence: null });
      expect(verified.data?.verifyAuditLog.entriesChecked).toBe(all.data?.auditLog.totalItems);
    } finally {
      await app.close();
    }
  });

  it('loads actors and subjects for a page of 100 with one user query', async () => {
    const statements: string[] = [];
    const app = await startTestApp({ env: { WORKER: 'off' }, onQuery: (sql) => statements.push(sql) });
    try {
      const admin = await anAdmin(app);
      await Promise.all(Array.from({ length: 40 }, () => aUser(app)));
      statements.length = 0;
      const res = await app.gql(AuditLogDoc, { pageSize: 100 }, bearer(admin.session.accessToken));
      expect(res.data?.auditLog.items.length).toBeGreaterThanOrEqual(40);
      const linking = /pg_advisory_xact_lock|audit_head|audit_pending|set_config/;
      const sql = statements.filter((s) => /\bselect\b/i.test(s) && !linking.test(s));
      // Authentication, the page, its count, and one batched user lookup (besides linking what is staged).
      expect(sql).toHaveLength(4);
      expect(sql.filter((s) => /from "users"/.test(s))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
