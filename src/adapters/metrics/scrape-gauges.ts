import { Gauge, type Registry } from 'prom-client';

/** A value read at scrape time that takes longer than this is given up for that scrape. */
export const SCRAPE_READ_TIMEOUT_MS = 2_000;

const SOURCE_UP = 'identity_metrics_source_up';

/** Per registry: each scrape-time source by name, read at most once per scrape. */
const sourcesOf = new WeakMap<Registry, Map<string, () => Promise<boolean>>>();

/**
 * Gauges set from one value read at scrape time. `read` runs once per scrape however many of
 * the gauges are collected (and however many scrapes overlap); when it fails or takes longer than
 * `timeoutMs`, its gauges are left out of that scrape, never the whole exposition, and
 * `identity_metrics_source_up{source}` is 0 instead of 1.
 */
export function scrapeGauges<G extends string, T>(
  registry: Registry,
  source: string,
  gauges: Record<G, { help: string; labelNames?: string[] }>,
  read: () => Promise<T> | T,
  apply: (value: T, gauges: Record<G, Gauge>) => void,
  timeoutMs = SCRAPE_READ_TIMEOUT_MS,
): void {
  let running: Promise<boolean> | undefined;
  const refresh = (): Promise<boolean> => {
    running ??= (async () => {
      try {
        const value = await withTimeout(read(), timeoutMs);
        for (const gauge of all) omit(gauge);
        apply(value, made);
        return true;
      } catch {
        for (const gauge of all) omit(gauge);
        return false;
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const made = Object.fromEntries(
    Object.entries<{ help: string; labelNames?: string[] }>(gauges).map(([name, def]) => [
      name,
      new Gauge({
        name,
        help: def.help,
        labelNames: def.labelNames ?? [],
        registers: [registry],
        async collect() {
          await refresh();
        },
      }),
    ]),
  ) as Record<G, Gauge>;
  const all: Gauge[] = Object.values(made);
  sourcesFor(registry).set(source, refresh);
}

/** Drops every sample of a gauge, the unlabelled one included (reset alone sets that to 0). */
function omit(gauge: Gauge): void {
  gauge.reset();
  gauge.remove({});
}

function sourcesFor(registry: Registry): Map<string, () => Promise<boolean>> {
  let sources = sourcesOf.get(registry);
  if (!sources) {
    const known = new Map<string, () => Promise<boolean>>();
    sources = known;
    sourcesOf.set(registry, known);
    new Gauge({
      name: SOURCE_UP,
      help: 'Whether the last scrape could read the source of these gauges (1) or left them out (0): database, job queue, audit chain',
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        const results = await Promise.all([...known].map(async ([name, refresh]) => [name, await refresh()]));
        for (const [name, up] of results) this.set({ source: name as string }, up ? 1 : 0);
      },
    });
  }
  return sources;
}

function withTimeout<T>(value: Promise<T> | T, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('scrape read timed out')), ms);
  });
  return Promise.race([Promise.resolve(value), timeout]).finally(() => clearTimeout(timer));
}

/** The database pool at scrape time (MikroORM → knex → tarn). */
export interface PoolUsage {
  used: number;
  free: number;
  pendingAcquires: number;
  pendingCreates: number;
  max: number;
}

/** `identity_db_pool_*`: connections in use and idle, acquires waiting, and the pool's size. */
export function registerPoolGauges(registry: Registry, usage: () => PoolUsage): void {
  scrapeGauges(
    registry,
    'db_pool',
    {
      identity_db_pool_connections: {
        help: 'Connections of the database pool: in use by a request or job (used) or idle (free)',
        labelNames: ['state'],
      },
      identity_db_pool_pending_acquires: {
        help: 'Requests waiting for a connection of the database pool',
      },
      identity_db_pool_pending_creates: { help: 'Connections of the database pool being opened' },
      identity_db_pool_max: { help: 'The most connections the database pool opens' },
    },
    usage,
    (u, g) => {
      g.identity_db_pool_connections.set({ state: 'used' }, u.used);
      g.identity_db_pool_connections.set({ state: 'free' }, u.free);
      g.identity_db_pool_pending_acquires.set(u.pendingAcquires);
      g.identity_db_pool_pending_creates.set(u.pendingCreates);
      g.identity_db_pool_max.set(u.max);
    },
  );
}

/** One queue's jobs at scrape time. */
export interface QueueDepth {
  queue: string;
  /** Waiting: ready, retrying later or scheduled. */
  queued: number;
  /** In a worker's hands. */
  active: number;
}

/** `identity_job_queue_jobs{queue,state}`: jobs waiting and in hand per queue (dead letters included). */
export function registerJobQueueGauges(registry: Registry, depth: () => Promise<QueueDepth[]>): void {
  scrapeGauges(
    registry,
    'job_queue',
    {
      identity_job_queue_jobs: {
        help: 'Jobs per queue: waiting (queued, retries included) or being worked (active); <queue>.dead holds dead letters',
        labelNames: ['queue', 'state'],
      },
    },
    depth,
    (queues, g) => {
      for (const q of queues) {
        g.identity_job_queue_jobs.set({ queue: q.queue, state: 'queued' }, q.queued);
        g.identity_job_queue_jobs.set({ queue: q.queue, state: 'active' }, q.active);
      }
    },
  );
}

/**
 * `identity_audit_entries_pending` and `identity_audit_chain_lag_seconds`: audit entries written
 * but not yet linked into the hash chain, and how long the oldest of them has waited, read at
 * scrape time from `backlog`.
 */
export function registerAuditChainGauges(
  registry: Registry,
  backlog: () => Promise<{ pending: number; lagSeconds: number }>,
): void {
  scrapeGauges(
    registry,
    'audit_chain',
    {
      identity_audit_entries_pending: {
        help: 'Audit entries written but not yet linked into the hash chain',
      },
      identity_audit_chain_lag_seconds: {
        help: 'How long the oldest audit entry not yet in the hash chain has waited (0 when none)',
      },
    },
    backlog,
    (b, g) => {
      g.identity_audit_entries_pending.set(b.pending);
      g.identity_audit_chain_lag_seconds.set(b.lagSeconds);
    },
  );
}
