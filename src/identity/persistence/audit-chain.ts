import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import { type ChainedFields, canonicalJson } from '../domain/audit-canonical.js';
import type { RequestMeta } from '../domain/principal.js';

/** Who and where: the request an event came from, and who acted (absent for anonymous requests and operators). */
export interface AuditContext {
  meta?: RequestMeta;
  actorId?: string;
}

const MAX_USER_AGENT = 512;

/** An INSERT staging audit entries, to run only if the rows of a named CTE of the same statement exist. */
export interface StagedEntries {
  sql: (cte: string) => string;
  params: unknown[];
}

/** The columns of a staged entry, in the order of ENTRY_ROW's placeholders. */
const STAGED_COLUMNS = 'id, type, actor_id, subject_id, client_ip, user_agent, request_id, occurred_at, data';
const ENTRY_ROW = '(?::uuid, ?, ?::uuid, ?::uuid, ?, ?, ?, ?::timestamptz, ?)';
/** Rows per statement: 9 parameters each, well under PostgreSQL's 65,535. */
const MAX_ROWS_PER_INSERT = 1000;

const insertSql = (rows: number) =>
  `insert into audit_pending (${STAGED_COLUMNS}) values ${Array.from({ length: rows }, () => ENTRY_ROW).join(', ')}`;

/** An entry's fields but its sequence, which the chainer assigns when it links the entry. */
function entryFields(
  event: DomainEvent,
  ctx: AuditContext,
  occurredAt: Date,
): Omit<ChainedFields, 'sequence'> {
  return {
    id: randomUUID(),
    type: event.type,
    actorId: ctx.actorId,
    subjectId: event.subjectId,
    clientIp: ctx.meta?.ip || undefined,
    userAgent: ctx.meta?.userAgent?.slice(0, MAX_USER_AGENT),
    requestId: ctx.meta?.requestId || undefined,
    occurredAt,
    data: canonicalJson(event.data),
  };
}

/**
 * Writes audit entries. An entry is inserted into `audit_pending` by the transaction of the
 * change it records (so it exists exactly when the change does), with one INSERT and no shared
 * lock: audited writes of every instance go ahead side by side. The chainer
 * (audit-chainer.ts) links committed entries into the hash chain shortly after.
 */
export function createAuditTrail(deps: { clock: Clock; enabled: boolean }) {
  function rowsOf(events: DomainEvent[], ctx: AuditContext): unknown[][] {
    const occurredAt = new Date(deps.clock.now().getTime());
    return events.map((event) => {
      const f = entryFields(event, ctx, occurredAt);
      return [
        f.id,
        f.type,
        f.actorId ?? null,
        f.subjectId ?? null,
        f.clientIp ?? null,
        f.userAgent ?? null,
        f.requestId ?? null,
        f.occurredAt,
        f.data,
      ];
    });
  }

  async function append(tx: EntityManager, events: DomainEvent[], ctx: AuditContext): Promise<void> {
    if (!deps.enabled || events.length === 0) return;
    const rows = rowsOf(events, ctx);
    await tx.execute(insertSql(rows.length), rows.flat());
  }

  /**
   * Facts recorded outside a transaction, written together: while one INSERT is on its way, the
   * facts recorded meanwhile wait and leave as the next one, in one statement. Each caller's
   * promise settles with the statement that carried its rows, so a fact is durable (or failed)
   * when its caller goes on, and a fact of several entries lands whole or not at all.
   */
  interface Waiting {
    rows: unknown[][];
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  let queue: Waiting[] = [];
  let inFlight = false;

  async function flush(em: EntityManager): Promise<void> {
    inFlight = true;
    try {
      while (queue.length > 0) {
        // Whole facts, up to MAX_ROWS_PER_INSERT rows (at least one fact, whatever its size).
        let take = 0;
        let rows = 0;
        while (take < queue.length && (take === 0 || rows + queue[take].rows.length <= MAX_ROWS_PER_INSERT)) {
          rows += queue[take].rows.length;
          take += 1;
        }
        const batch = queue.slice(0, take);
        queue = queue.slice(take);
        // On the pool, outside any transaction: each statement commits on its own.
        const insert = (facts: Waiting[], count: number) =>
          em.getConnection().execute(
            insertSql(count),
            facts.flatMap((w) => w.rows.flat()),
            'run',
          );
        try {
          await insert(batch, rows);
          for (const w of batch) w.resolve();
        } catch (err) {
          if (batch.length === 1) batch[0].reject(err);
          // One fact must not fail the others it travelled with: each goes again on its own.
          else
            for (const w of batch)
              await insert([w], w.rows.length).then(
                () => w.resolve(),
                (own: unknown) => w.reject(own),
              );
        }
      }
    } finally {
      inFlight = false;
    }
  }

  function appendNow(em: EntityManager, events: DomainEvent[], ctx: AuditContext): Promise<void> {
    if (!deps.enabled || events.length === 0) return Promise.resolve();
    const rows = rowsOf(events, ctx);
    return new Promise<void>((resolve, reject) => {
      queue.push({ rows, resolve, reject });
      if (!inFlight) void flush(em);
    });
  }

  /**
   * The INSERT that stages these events, for a change written as one statement: it inserts them
   * only when the named CTE of that statement has rows (the change happened), so they commit with
   * it or not at all. Undefined when there is nothing to stage.
   */
  function stagedWith(events: DomainEvent[], ctx: AuditContext): StagedEntries | undefined {
    if (!deps.enabled || events.length === 0) return undefined;
    const rows = rowsOf(events, ctx);
    return {
      sql: (cte) =>
        `insert into audit_pending (${STAGED_COLUMNS}) select * from (values ${rows.map(() => ENTRY_ROW).join(', ')}) as entry
           where exists (select 1 from ${cte})`,
      params: rows.flat(),
    };
  }

  /**
   * The INSERT that stages one entry of `type` for the row of the named CTE, for a change written
   * as one statement that learns what it changed only as it writes it (a rotation found by its
   * token alone). The subject and each data field are SQL expressions over that row (`row.…`);
   * the data is written as the same sorted-key JSON text canonicalJson gives, each value by
   * PostgreSQL's to_json, so only fields whose to_json and JSON.stringify agree (numbers, uuids,
   * booleans) belong here. The CTE must yield at most one row. Undefined when the audit is off.
   */
  function stagedPerRow(
    type: string,
    ctx: AuditContext,
    fields: { subjectId: string; data: Record<string, string> },
  ): StagedEntries | undefined {
    if (!deps.enabled) return undefined;
    const row = rowSelect(type, ctx, fields);
    return {
      sql: (cte) => `insert into audit_pending (${STAGED_COLUMNS}) ${row.sql} from ${cte} as row`,
      params: row.params,
    };
  }

  /** The SELECT list of one entry of `type` built from a row named `row` (see stagedPerRow), and its parameters. */
  function rowSelect(
    type: string,
    ctx: AuditContext,
    fields: { subjectId: string; data: Record<string, string> },
  ): { sql: string; params: unknown[] } {
    const [id, , actorId, , clientIp, userAgent, requestId, occurredAt] = rowsOf(
      [{ type, data: {} }],
      ctx,
    )[0];
    const keys = Object.keys(fields.data).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Keys go into the statement's text: plain names only.
    for (const k of keys) if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k)) throw new Error(`audit data key ${k}`);
    const data = keys
      .map((k, i) => `'${i === 0 ? '{' : ','}${JSON.stringify(k)}:' || to_json(${fields.data[k]})::text`)
      .join(' || ');
    return {
      sql: `select ?::uuid, ?, ?::uuid, ${fields.subjectId}, ?, ?, ?, ?::timestamptz, ${keys.length ? `${data} || '}'` : "'{}'"}`,
      params: [id, type, actorId, clientIp, userAgent, requestId, occurredAt],
    };
  }

  /**
   * One INSERT staging, in the order given, entries of known events and entries built from the rows
   * of a CTE (`fromRows`, as stagedPerRow), only when the named CTE of the statement has rows (as
   * stagedWith). Positions in audit_pending, which order the chain, follow the order given, which
   * separate INSERTs in one statement would not promise. Undefined when the audit is off.
   */
  function stagedInOrder(
    ctx: AuditContext,
    parts: (
      | { events: DomainEvent[] }
      | { fromRows: string; type: string; fields: { subjectId: string; data: Record<string, string> } }
    )[],
  ): StagedEntries | undefined {
    if (!deps.enabled) return undefined;
    const selects: string[] = [];
    const params: unknown[] = [];
    parts.forEach((part, i) => {
      if ('events' in part) {
        rowsOf(part.events, ctx).forEach((row, n) => {
          selects.push(`select ${i}, ${n}, ${ENTRY_ROW.slice(1, -1)}`);
          params.push(...row);
        });
      } else {
        const row = rowSelect(part.type, ctx, part.fields);
        selects.push(`${row.sql.replace(/^select /, `select ${i}, 0, `)} from ${part.fromRows} as row`);
        params.push(...row.params);
      }
    });
    return {
      sql: (cte) =>
        `insert into audit_pending (${STAGED_COLUMNS})
         select ${STAGED_COLUMNS} from (${selects.join(' union all ')})
           as entry (part, n, ${STAGED_COLUMNS})
          where exists (select 1 from ${cte}) order by part, n`,
      params,
    };
  }

  return {
    /** Stages the events inside the caller's transaction: they commit or roll back with its change. */
    append,
    stagedWith,
    stagedPerRow,
    stagedInOrder,
    /**
     * For facts recorded outside a use case's transaction (a failed sign-in): committed on their
     * own, together with those of other requests recorded at the same moment, before it resolves.
     * `em` must not be inside a transaction.
     */
    appendNow,
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
