import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export {
  type PoolUsage,
  type QueueDepth,
  registerAuditChainGauges,
  registerJobQueueGauges,
  registerPoolGauges,
} from './scrape-gauges.js';

/** Request latency buckets in seconds: `me` takes milliseconds, a sign-in's bcrypt hundreds of them. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's metrics on a registry of its own (never prom-client's global one, so several
 * services in one process keep their counts apart): Node.js and process metrics (event-loop lag,
 * heap, GC, CPU, file descriptors) and the service's `identity_*` counters. Every label value comes
 * from a fixed set the service defines (operation names of the schema, error codes, reason
 * categories, budget and queue names): never a user id, an address or a client's text.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const graphqlRequests = new Counter({
    name: 'identity_graphql_requests_total',
    help: 'GraphQL requests by operation (the root field asked for; multiple, or invalid when the document did not parse or validate) and outcome (ok or the first error code)',
    labelNames: ['operation', 'outcome'],
    registers,
  });
  const graphqlDuration = new Histogram({
    name: 'identity_graphql_request_duration_seconds',
    help: 'GraphQL request latency in seconds, from the request reaching Apollo to its response, by operation',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const signIns = new Counter({
    name: 'identity_sign_ins_total',
    help: 'Sign-in attempts by outcome (succeeded, mfa_required, failed, mfa_failed, rate_limited) and failure reason',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const accountsLocked = new Counter({
    name: 'identity_accounts_locked_total',
    help: 'Accounts that became locked: by failed sign-ins or password checks (failed_logins), or by an admin',
    labelNames: ['by'],
    registers,
  });
  const refreshReuse = new Counter({
    name: 'identity_refresh_token_reuse_total',
    help: 'Rotated-away refresh tokens presented again: each revoked its session',
    registers,
  });
  const rateLimited = new Counter({
    name: 'identity_rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by budget',
    labelNames: ['budget'],
    registers,
  });

  return {
    registry,
    /** The text exposition: every metric, each scrape-time gauge read afresh. */
    async exposition(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    /** One GraphQL request answered. */
    graphqlRequest(operation: string, outcome: string, seconds: number): void {
      graphqlRequests.inc({ operation, outcome });
      graphqlDuration.observe({ operation }, seconds);
    },
    /** The identity context's security observer. */
    security: {
      signIn: (outcome: string, reason?: string) => signIns.inc({ outcome, reason: reason ?? '' }),
      accountLocked: (by: string) => accountsLocked.inc({ by }),
      refreshTokenReused: () => refreshReuse.inc(),
    },
    rateLimitRefused: (budget: string) => rateLimited.inc({ budget }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
