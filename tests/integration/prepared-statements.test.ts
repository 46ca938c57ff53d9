import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createStatementRunner } from '../../src/adapters/database/prepared-statements';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A statement that counts the prepared statements of the connection running it that hold its own
 * marker: itself, when it was prepared, else none.
 */
const self = (marker: string) => `select count(*)::int as n, ?::int + 1 as next from pg_prepared_statements
  where statement like '%' || '${marker}' || '%'`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { WORKER: 'off' } });
});
afterAll(() => app.close());

describe('the statement runner', () => {
  it('prepares a statement once per connection and binds its values', async () => {
    const run = createStatementRunner({ named: true });
    for (let i = 0; i < 3; i++) {
      const em = app.orm.em.fork();
      expect(await run(em, self('marker-prepared'), [i])).toEqual([{ n: 1, next: i + 1 }]);
    }
  });

  it('inlines the values and prepares nothing behind a transaction pooler', async () => {
    const run = createStatementRunner({ named: false });
    expect(await run(app.orm.em.fork(), self('marker-inlined'), [41])).toEqual([{ n: 0, next: 42 }]);
  });

  it("runs inside a transaction on the transaction's connection, prepared", async () => {
    const run = createStatementRunner({ named: true });
    await app.orm.em.fork().transactional(async (tx) => {
      await tx.execute('create temporary table prepared_runner_probe (v int) on commit drop');
      await tx.execute('insert into prepared_runner_probe values (?)', [7]);
      // The transaction's uncommitted row: the statement ran on its connection.
      expect(await run(tx, 'select v, ?::int as w from prepared_runner_probe', [8])).toEqual([
        { v: 7, w: 8 },
      ]);
      expect(await run(tx, self('marker-in-transaction'), [1])).toEqual([{ n: 1, next: 2 }]);
    });
  });

  it('raises a failing statement as the ORM raises its own, and runs it again afterwards', async () => {
    const run = createStatementRunner({ named: true });
    const em = app.orm.em.fork();
    const failed = await run(em, 'select 1 / (? - 1) as x', [1]).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(DriverException);
    expect((failed as Error).message).toMatch(/division by zero/);
    const conflict = await run(
      em,
      'insert into mikro_orm_migrations select * from mikro_orm_migrations limit ?',
      [1],
    ).catch((err: unknown) => err);
    expect(conflict).toBeInstanceOf(UniqueConstraintViolationException);
    expect(await run(em, 'select 1 / (? - 1) as x', [2])).toEqual([{ x: 1 }]);
  });

  it('refuses a statement on a transaction that already ended, as knex does', async () => {
    const run = createStatementRunner({ named: true });
    let ended: EntityManager | undefined;
    await app.orm.em.fork().transactional(async (tx) => {
      ended = tx;
    });
    expect((ended as EntityManager).getTransactionContext()).toBeDefined();
    await expect(run(ended as EntityManager, 'select ?::int as n', [1])).rejects.toThrow('already ended');
  });
});
