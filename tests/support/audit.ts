import type { TestApp } from './test-app';

export interface AuditRow {
  sequence: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  data: string;
  client_ip: string | null;
  request_id: string | null;
}

/** Links every staged entry into the chain now, as the background chainer would shortly. */
export async function linkAudit(app: TestApp): Promise<void> {
  await app.service.identity.auditChainer.linkPending(app.orm.em.fork(), { force: true });
}

/** The audit entries about (or by) a user, oldest first (staged entries linked first). */
export async function auditOf(app: TestApp, userId: string): Promise<AuditRow[]> {
  await linkAudit(app);
  return app.orm.em
    .getConnection()
    .execute('select * from audit_log where subject_id = ? or actor_id = ? order by sequence', [
      userId,
      userId,
    ]);
}

/** Runs SQL on the audit table with its append-only triggers switched off, as an attacker with DB rights could. */
export async function tamper(app: TestApp, sql: string, params: unknown[] = []): Promise<void> {
  await app.orm.em.getConnection().transactional(async (trx) => {
    await app.orm.em.getConnection().execute('alter table audit_log disable trigger user', [], 'run', trx);
    await app.orm.em.getConnection().execute(sql, params, 'run', trx);
    await app.orm.em.getConnection().execute('alter table audit_log enable trigger user', [], 'run', trx);
  });
}
