import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent, EventLog } from '../../kernel/domain-event.js';
import type { AuditContext, AuditTrail, StagedEntries } from './audit-chain.js';

export type RecordEvent = (event: DomainEvent) => void;

/**
 * For a statement of the transaction that stages audit entries itself (see StagedEntries), in the
 * order the events happened. `takeRecorded` hands over the events recorded so far (by aggregates in
 * the unit of work, flushed, and directly), which the transaction then no longer stages at its
 * end; `staged` reports the events the statement staged, for `onCommitted`.
 */
export interface StageInStatement {
  takeRecorded(): DomainEvent[];
  staged(events: DomainEvent[]): void;
}

/** Told the events of a transaction after it committed (never those of one rolled back). */
export type OnCommitted = (events: DomainEvent[]) => void;

/**
 * Runs one use case as one transaction: the work, one flush, then every event
 * it produced — those recorded by aggregates in this unit of work and those
 * recorded directly — staged for the audit chain before commit. A statement of the work that
 * stages its own entries takes the events recorded before it and reports what it staged through
 * `stage` instead. Once the commit
 * succeeded, all these events go to `onCommitted` (the operators' counters).
 */
export function createUnitOfWork(audit: AuditTrail, onCommitted: OnCommitted = () => {}) {
  return async function inTransaction<T>(
    em: EntityManager,
    ctx: AuditContext,
    work: (tx: EntityManager, record: RecordEvent, stage: StageInStatement) => Promise<T>,
  ): Promise<T> {
    let events: DomainEvent[] = [];
    let stagedEvents: DomainEvent[] = [];
    const result = await em.transactional(async (tx) => {
      let direct: DomainEvent[] = [];
      const alreadyStaged: DomainEvent[] = [];
      const result = await work(tx, (event) => direct.push(event), {
        takeRecorded: () => {
          const recorded = [...pullAggregateEvents(tx), ...direct];
          direct = [];
          return recorded;
        },
        staged: (more) => alreadyStaged.push(...more),
      });
      await tx.flush();
      events = [...pullAggregateEvents(tx), ...direct];
      await audit.append(tx, events, ctx);
      stagedEvents = alreadyStaged;
      return result;
    });
    onCommitted([...stagedEvents, ...events]);
    return result;
  };
}

export type InTransaction = ReturnType<typeof createUnitOfWork>;

/**
 * A change written as one statement outside any transaction (in its own implicit one), with the
 * audit entries of its events staged by that same statement: one round trip where a transaction
 * takes several. `write` gets the staging INSERT (none when the audit trail is off) and returns
 * undefined when it wrote nothing; only when it wrote are the events reported to `onCommitted`.
 */
export function createOneStatementWrite(audit: AuditTrail, onCommitted: OnCommitted) {
  return async function inOneStatement<T>(
    ctx: AuditContext,
    audited: DomainEvent[] | FoundByStatement<T>,
    write: (staged: StagedEntries | undefined) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    if (Array.isArray(audited)) {
      const result = await write(audit.stagedWith(audited, ctx));
      if (result !== undefined) onCommitted(audited);
      return result;
    }
    const result = await write(audit.stagedPerRow(audited.type, ctx, audited.fromRow));
    if (result !== undefined) onCommitted(audited.eventsOf(result));
    return result;
  };
}

/**
 * The audit of a statement that learns what it changed only as it writes it: one entry of `type`
 * staged from the written row (AuditTrail.stagedPerRow), and the events of its result.
 */
export interface FoundByStatement<T> {
  type: string;
  fromRow: { subjectId: string; data: Record<string, string> };
  eventsOf: (result: T) => DomainEvent[];
}

export type InOneStatement = ReturnType<typeof createOneStatementWrite>;

/** The audit trail whose appendNow (facts committed on their own) also tells `onCommitted` once they committed. */
export function reportingAppendNow(audit: AuditTrail, onCommitted: OnCommitted): AuditTrail {
  return {
    ...audit,
    async appendNow(em, events, ctx) {
      await audit.appendNow(em, events, ctx);
      onCommitted(events);
    },
  };
}

function pullAggregateEvents(em: EntityManager): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const entity of em.getUnitOfWork().getIdentityMap().values()) {
    const log = (entity as { events?: EventLog }).events;
    if (log) events.push(...log.pull());
  }
  return events;
}
