import autocannon from 'autocannon';

/** One request of a load, and how to tell whether its reply is a success. */
export interface Step {
  /** Statistics bucket; several steps may share one (`me` with different tokens). */
  kind: string;
  request: autocannon.Request;
  /** A 2xx alone proves nothing for GraphQL: errors come back as 200 with an `errors` array. */
  ok(status: number, body: string, context: Record<string, unknown>): boolean;
}

export interface KindStats {
  responses: number;
  ok: number;
  /** Non-2xx replies and 2xx replies that failed `ok` (GraphQL `errors`, missing data). */
  errors: number;
  /** Successful replies per second. */
  rps: number;
  /** Latency of successful replies; null when there were none. */
  p50Ms: number | null;
  p99Ms: number | null;
  firstError?: string;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  kinds: Record<string, KindStats>;
  /** Requests that got no reply at all: socket errors and timeouts. */
  connectionErrors: number;
}

const running = new Set<autocannon.Instance>();

/** Ends every load in progress (on SIGINT); each resolves with what it measured so far. */
export function stopAllLoads(): void {
  for (const instance of running) instance.stop();
}

/**
 * Runs one autocannon load against `url` for `seconds`, the steps repeated in order on every
 * connection. Latencies are collected here rather than taken from autocannon's histogram, which
 * has 1 ms resolution and also counts replies that were GraphQL errors.
 */
export async function runLoad(opts: {
  url: string;
  connections: number;
  seconds: number;
  steps: Step[];
}): Promise<LoadResult> {
  const buckets = new Map<
    string,
    { responses: number; ok: number; latencies: number[]; firstError?: string }
  >();
  for (const step of opts.steps) buckets.set(step.kind, { responses: 0, ok: 0, latencies: [] });

  // autocannon calls a request's onResponse and then, synchronously, emits 'response' with the
  // latency of the same reply: `last` carries the verdict from the first to the second.
  let last: { bucket: { latencies: number[] }; ok: boolean } | undefined;
  const requests = opts.steps.map((step): autocannon.Request => {
    const bucket = buckets.get(step.kind) as NonNullable<ReturnType<typeof buckets.get>>;
    return {
      ...step.request,
      onResponse(status, body, context) {
        let ok = false;
        try {
          // ok() first: it may have bookkeeping to do whatever the status (see refreshSteps).
          ok = step.ok(status, body, context) && status >= 200 && status < 300;
        } catch {
          // an unparsable body is an error like any other
        }
        bucket.responses++;
        if (ok) bucket.ok++;
        else bucket.firstError ??= `${status} ${body.slice(0, 300)}`;
        last = { bucket, ok };
      },
    };
  });

  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    requests,
  });
  instance.on('response', (_client, _status, _bytes, ms) => {
    if (last?.ok) last.bucket.latencies.push(ms);
    last = undefined;
  });
  running.add(instance);
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    running.delete(instance);
  }

  const kinds: Record<string, KindStats> = {};
  for (const [kind, b] of buckets) {
    const sorted = Float64Array.from(b.latencies).sort();
    kinds[kind] = {
      responses: b.responses,
      ok: b.ok,
      errors: b.responses - b.ok,
      rps: b.ok / result.duration,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      ...(b.firstError ? { firstError: b.firstError } : {}),
    };
  }
  return {
    connections: opts.connections,
    seconds: result.duration,
    kinds,
    connectionErrors: result.errors,
  };
}

function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
