import { hash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Runs one statement written with `?` placeholders and returns its rows. */
export type RunStatement = (
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
) => Promise<Record<string, unknown>[]>;

interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

/**
 * The name a statement is prepared under: from its text, so that one name always means one text
 * (PostgreSQL refuses to prepare a name twice on a connection; pg prepares each name once per
 * connection and then only binds it).
 */
export const statementName = (text: string): string => `q${hash('sha256', text, 'hex').slice(0, 24)}`;

/**
 * The knex transaction `em` is inside, if any (its `client` hands out the transaction's own
 * connection, and keeps it); refuses one that has ended, as knex refuses a query on it: its
 * connection went back to the pool.
 */
export function openTransactionOf<T extends object>(
  em: EntityManager,
): (T & { isCompleted(): boolean }) | undefined {
  const transaction = em.getTransactionContext<T & { isCompleted(): boolean }>();
  if (transaction?.isCompleted()) throw new Error('the transaction already ended');
  return transaction;
}

/**
 * Names for the texts a client prepares, each computed once. With `max`, past that many texts it
 * names no more (undefined: run that text unprepared), which bounds what every connection keeps
 * for a client whose texts vary.
 */
export function statementNames(max = Number.POSITIVE_INFINITY): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (!name && names.size < max) {
      name = statementName(text);
      names.set(text, name);
    }
    return name;
  };
}

/** The statement's text with numbered placeholders, and the name it is prepared under. */
function numbered(sql: string): { text: string; name: string } {
  let n = 0;
  // The statements run here hold no literal or identifier with a question mark in it.
  const text = sql.replace(/\?/g, () => `$${++n}`);
  return { text, name: statementName(text) };
}

/**
 * How the hottest statements reach PostgreSQL. `named`: as named prepared statements, so that each
 * connection parses and plans a statement once and then only binds and executes it (the one-statement
 * refresh spent about a third of PostgreSQL's CPU planning itself each time), inside a transaction
 * on the transaction's connection. Not behind a transaction pooler (DATABASE_POOL_MODE=transaction),
 * which may run the next use of a statement on a server connection that never prepared it: there a
 * statement goes through the ORM's connection as every other does, its values written into its text.
 * Either way it is logged as every other statement.
 */
export function createStatementRunner(opts: { named: boolean }): RunStatement {
  const prepared = new Map<string, { text: string; name: string }>();
  return async (em, sql, params) => {
    if (!opts.named) return em.execute(sql, [...params]);
    let statement = prepared.get(sql);
    if (!statement) {
      statement = numbered(sql);
      prepared.set(sql, statement);
    }
    const { text, name } = statement;
    const connection = em.getConnection();
    const knex =
      openTransactionOf<{ client: KnexClient }>(em)?.client ??
      (connection.getKnex().client as unknown as KnexClient);
    // The ORM's own timing and logging, as for its statements (its method is not part of its types).
    const logged = connection as unknown as {
      executeQuery<T>(query: string, run: () => Promise<T>, context: object): Promise<T>;
    };
    return logged.executeQuery(
      text,
      async () => {
        const client = await knex.acquireConnection();
        try {
          return (await client.query({ name, text, values: [...params] })).rows;
        } catch (err) {
          // The ORM's exception, as its own statements raise (a unique violation, a lost connection).
          throw err instanceof Error ? em.getDriver().convertException(err) : err;
        } finally {
          await knex.releaseConnection(client);
        }
      },
      { query: text, params },
    );
  };
}
