import { Client } from 'pg';

/**
 * A PostgreSQL LISTEN on one channel over a connection of its own, that knows when it can be
 * trusted. It counts as connected only while its own heartbeat (`select 1` every `heartbeatMs`)
 * came back within the last `staleMs`: PostgreSQL sends a listener the notifications committed
 * before a query ahead of that query's answer, so a fresh heartbeat means every change committed
 * before it has been heard. A dropped or silent connection stops counting at once or within
 * `staleMs`; every reconnection first tells `onReset` (changes may have been missed meanwhile).
 * Never through a pooler in transaction mode: a LISTEN needs its session.
 */
export interface ChangeListener {
  /** Whether every change committed until `staleMs` ago has certainly been heard. */
  connected(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChangeListenerOptions {
  url: string;
  channel: string;
  onChange: (payload: string) => void;
  /** The listener lost (or is about to regain) its connection: what was heard may be incomplete. */
  onReset: () => void;
  onError?: (err: unknown) => void;
  heartbeatMs?: number;
  staleMs?: number;
  /** The longest wait between two reconnection attempts. */
  maxBackoffMs?: number;
}

export function createChangeListener(opts: ChangeListenerOptions): ChangeListener {
  const heartbeatMs = opts.heartbeatMs ?? 250;
  const staleMs = opts.staleMs ?? 900;
  const maxBackoffMs = opts.maxBackoffMs ?? 5000;
  /** Silence after which the connection is given up and made again. */
  const deadMs = Math.max(3 * staleMs, 2000);
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.channel)) throw new Error('channel must be a plain identifier');
  let client: Client | undefined;
  let lastHeard = Number.NEGATIVE_INFINITY;
  let stopped = true;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 100;

  function down(failed: Client, err?: unknown): void {
    if (client !== failed) return;
    client = undefined;
    lastHeard = Number.NEGATIVE_INFINITY;
    clearInterval(heartbeat);
    if (!stopped) {
      retry = setTimeout(() => void connect(), backoffMs);
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
    failed.removeAllListeners('notification');
    failed.end().catch(() => {});
    // The callbacks run last, and may not throw into an event handler.
    safely(opts.onReset);
    if (err) safely(() => opts.onError?.(err));
  }

  function safely(callback: () => void): void {
    try {
      callback();
    } catch {
      // A failing callback must not stop the listener from reconnecting.
    }
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const next = new Client({
      connectionString: opts.url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      // A LISTEN or heartbeat that never answers ends the connection instead of hanging.
      query_timeout: Math.max(deadMs, 5000),
    });
    next.on('error', (err) => down(next, err));
    next.on('end', () => down(next));
    next.on('notification', (message) => {
      const payload = message.payload;
      if (message.channel === opts.channel && payload) safely(() => opts.onChange(payload));
    });
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${opts.channel}`);
      if (client !== next) return;
      // Heard from here on: what happened before the LISTEN is unknown, so start afresh.
      safely(opts.onReset);
      lastHeard = performance.now();
      backoffMs = 100;
      heartbeat = setInterval(heartbeatOf(next), heartbeatMs);
    } catch (err) {
      down(next, err);
    }
  }

  /** The heartbeat of one connection: each connection has its own, so a stuck one cannot hold up the next. */
  function heartbeatOf(on: Client): () => void {
    let out = false;
    let sentAt = 0;
    return () => {
      if (out) {
        // The last one is still out: lastHeard ages meanwhile; long silence means a dead connection.
        if (performance.now() - sentAt > deadMs)
          down(on, new Error('change listener: no answer to its heartbeat'));
        return;
      }
      out = true;
      const sent = performance.now();
      sentAt = sent;
      on.query('select 1').then(
        () => {
          out = false;
          if (client === on) lastHeard = sent;
        },
        (err: unknown) => down(on, err),
      );
    };
  }

  return {
    connected: () => client !== undefined && performance.now() - lastHeard < staleMs,
    async start() {
      stopped = false;
      await connect();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      lastHeard = Number.NEGATIVE_INFINITY;
      await current?.end().catch(() => {});
    },
  };
}
