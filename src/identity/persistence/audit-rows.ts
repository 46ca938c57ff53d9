import type { ChainedFields } from '../domain/audit-canonical.js';

/** An audit entry's columns as PostgreSQL returns them, staged (no sequence yet) or linked. */
export interface EntryRow {
  id: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  occurred_at: Date;
  data: string;
}

/** A linked entry's row: its place in the chain too. */
export interface LinkedRow extends EntryRow {
  sequence: string;
  previous_hash: string;
  hash: string;
}

/** The fields an entry's hash covers, from its row, at `sequence`. */
export const chainedFields = (row: EntryRow, sequence: string): ChainedFields => ({
  sequence,
  id: row.id,
  type: row.type,
  actorId: row.actor_id,
  subjectId: row.subject_id,
  clientIp: row.client_ip,
  userAgent: row.user_agent,
  requestId: row.request_id,
  occurredAt: new Date(row.occurred_at),
  data: row.data,
});
