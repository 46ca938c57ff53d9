import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent, EventLog } from '../../kernel/domain-event.js';
import type { AuditContext, AuditTrail } from './audit-chain.js';

export type RecordEvent = (event: DomainEvent) => void;

/**
 * Runs one use case as one transaction: the work, one flush, then every event
 * it produced — those recorded by aggregates in this unit of work and those
 * recorded directly — appended to the audit chain before commit.
 */
export function createUnitOfWork(audit: AuditTrail) {
  return function inTransaction<T>(
    em: EntityManager,
    ctx: AuditContext,
    work: (tx: EntityManager, record: RecordEvent) => Promise<T>,
  ): Promise<T> {
    return em.transactional(async (tx) => {
      const direct: DomainEvent[] = [];
      const result = await work(tx, (event) => direct.push(event));
      await tx.flush();
      await audit.append(tx, [...pullAggregateEvents(tx), ...direct], ctx);
      return result;
    });
  };
}

export type InTransaction = ReturnType<typeof createUnitOfWork>;

function pullAggregateEvents(em: EntityManager): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const entity of em.getUnitOfWork().getIdentityMap().values()) {
    const log = (entity as { events?: EventLog }).events;
    if (log) events.push(...log.pull());
  }
  return events;
}
