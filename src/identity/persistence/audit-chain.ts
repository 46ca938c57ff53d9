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

/** The columns of a staged entry, in the order of ENTRY_ROW's placeholders. */
export const STAGED_COLUMNS =
  'id, type, actor_id, subject_id, client_ip, user_agent, request_id, occurred_at, data';
const ENTRY_ROW = '(?::uuid, ?, ?::uuid, ?::uuid, ?, ?, ?, ?::timestamptz, ?)';

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
  async function append(tx: EntityManager, events: DomainEvent[], ctx: AuditContext): Promise<void> {
    if (!deps.enabled || events.length === 0) return;
    const occurredAt = new Date(deps.clock.now().getTime());
    const values = events.flatMap((event) => {
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
    await tx.execute(
      `insert into audit_pending (${STAGED_COLUMNS}) values ${events.map(() => ENTRY_ROW).join(', ')}`,
      values,
    );
  }

  return {
    /** Stages the events inside the caller's transaction: they commit or roll back with its change. */
    append,
    /**
     * For facts recorded outside a use case's transaction (a failed sign-in): one INSERT that
     * commits on its own, so a fact that needs several entries still lands whole or not at all.
     */
    appendNow: (em: EntityManager, events: DomainEvent[], ctx: AuditContext) => append(em, events, ctx),
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
