import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import {
  type ChainedFields,
  canonicalEntryTail,
  canonicalJson,
  chainHash,
} from '../domain/audit-canonical.js';
import type { RequestMeta } from '../domain/principal.js';

/** Who and where: the request an event came from, and who acted (absent for anonymous requests and operators). */
export interface AuditContext {
  meta?: RequestMeta;
  actorId?: string;
}

const MAX_USER_AGENT = 512;

const ENTRY_COLUMNS =
  'sequence, id, type, actor_id, subject_id, client_ip, user_agent, request_id, occurred_at, data, previous_hash, hash';
const ENTRY_PLACEHOLDERS = `(${ENTRY_COLUMNS.split(', ')
  .map(() => '?')
  .join(', ')})`;

/** An entry's fields but its sequence, which the head assigns. */
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
 * Appends events to the hash chain inside the caller's transaction. The head
 * row is locked (SELECT … FOR UPDATE) only from here to commit, which comes
 * right after in every use case: appenders queue for a few milliseconds, not
 * for the whole sign-in, and the chain can never fork.
 */
export function createAuditTrail(deps: { clock: Clock; enabled: boolean }) {
  async function append(tx: EntityManager, events: DomainEvent[], ctx: AuditContext): Promise<void> {
    if (!deps.enabled || events.length === 0) return;
    if (events.length === 1) return appendOne(tx, events[0], ctx);
    const [head] = await tx.execute<{ sequence: string; hash: string }[]>(
      'select sequence, hash from audit_head where id = 1 for update',
    );
    let sequence = BigInt(head.sequence);
    let previousHash = head.hash;
    const occurredAt = new Date(deps.clock.now().getTime());
    const rows = events.map((event) => {
      sequence += 1n;
      const fields = { sequence: sequence.toString(), ...entryFields(event, ctx, occurredAt) };
      const hash = chainHash(previousHash, fields);
      const row = { ...fields, previousHash, hash };
      previousHash = hash;
      return row;
    });
    // The entries and the new head in one statement: one round trip less while the head is locked.
    const values = rows.map((r) => [
      r.sequence,
      r.id,
      r.type,
      r.actorId ?? null,
      r.subjectId ?? null,
      r.clientIp ?? null,
      r.userAgent ?? null,
      r.requestId ?? null,
      r.occurredAt,
      r.data,
      r.previousHash,
      r.hash,
    ]);
    await tx.execute(
      `with entries as (
         insert into audit_log (${ENTRY_COLUMNS}) values ${values.map(() => ENTRY_PLACEHOLDERS).join(', ')}
       )
       update audit_head set sequence = ?, hash = ? where id = 1`,
      [...values.flat(), sequence.toString(), previousHash],
    );
  }

  /**
   * One entry in one statement: PostgreSQL locks the head, takes the next sequence, finishes the
   * hash over the previous hash, the sequence and the tail computed here (as UTF-8 bytes, whatever
   * the database encoding), inserts the entry and moves the head. The head stays locked for the
   * commit's round trip only.
   */
  async function appendOne(tx: EntityManager, event: DomainEvent, ctx: AuditContext): Promise<void> {
    const fields = entryFields(event, ctx, new Date(deps.clock.now().getTime()));
    const moved = await tx.execute(
      `with head as (
         select sequence + 1 as sequence, hash from audit_head where id = 1 for update
       ), entry as (
         insert into audit_log (${ENTRY_COLUMNS})
         select head.sequence, ?::uuid, ?::text, ?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::timestamptz,
                ?::text, head.hash,
                encode(sha256(convert_to(head.hash || E'\\n["v1","' || head.sequence::text || '",', 'UTF8')
                              || ?::bytea), 'hex')
           from head
         returning sequence, hash
       )
       update audit_head set sequence = entry.sequence, hash = entry.hash from entry where audit_head.id = 1
       returning audit_head.sequence`,
      [
        fields.id,
        fields.type,
        fields.actorId ?? null,
        fields.subjectId ?? null,
        fields.clientIp ?? null,
        fields.userAgent ?? null,
        fields.requestId ?? null,
        fields.occurredAt,
        fields.data,
        Buffer.from(canonicalEntryTail(fields), 'utf8'),
      ],
    );
    // No head row (never the case after the migrations) must not pass for an appended entry.
    if (moved.length !== 1) throw new Error('audit chain head missing: entry not appended');
  }

  return {
    append,
    /** For facts recorded outside a use case's transaction (a failed sign-in): a transaction of their own. */
    appendNow: (em: EntityManager, events: DomainEvent[], ctx: AuditContext) =>
      em.transactional((tx) => append(tx, events, ctx)),
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
