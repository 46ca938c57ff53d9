import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one spelling per value, so hashes are reproducible. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainedFields {
  sequence: string;
  id: string;
  type: string;
  actorId?: string | null;
  subjectId?: string | null;
  clientIp?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  occurredAt: Date;
  /** Already canonical JSON text. */
  data: string;
}

/**
 * The bytes an entry's hash covers. Timestamps are whole milliseconds in UTC
 * (what PostgreSQL returns for what we stored), absent values are null, and
 * the version tag lets the format evolve without ambiguity.
 */
export function canonicalEntry(e: ChainedFields): string {
  // JSON of ['v1', sequence, ...the tail's fields], spelled out so that the tail stays one list.
  return `["v1",${JSON.stringify(e.sequence)},${canonicalEntryTail(e)}`;
}

/**
 * The canonical entry after its sequence: the fields in order, JSON, without the opening bracket.
 * PostgreSQL prefixes `["v1","<sequence>",` to finish the hash of an entry whose sequence it assigns.
 */
export function canonicalEntryTail(e: Omit<ChainedFields, 'sequence'>): string {
  return JSON.stringify([
    e.id,
    e.type,
    e.actorId ?? null,
    e.subjectId ?? null,
    e.clientIp ?? null,
    e.userAgent ?? null,
    e.requestId ?? null,
    e.occurredAt.toISOString(),
    e.data,
  ]).slice(1);
}

/** hash = SHA-256(previous hash ‖ canonical entry), hex. */
export const chainHash = (previousHash: string, entry: ChainedFields) =>
  createHash('sha256').update(previousHash).update('\n').update(canonicalEntry(entry)).digest('hex');
