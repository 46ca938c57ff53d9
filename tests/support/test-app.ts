import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import type { JobTuning } from '../../src/adapters/jobs/job-queue';
import { composeService } from '../../src/composition-root';
import { loadConfig } from '../../src/config/config';
import type { Clock } from '../../src/kernel/clock';
import { createLogger, createRequestScope } from '../../src/kernel/logger';
import { createTestDatabase } from './database';
import { recordLogLine, recordSecretsIn } from './log-scan';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions: Record<string, unknown> & { code: string } }[];
  headers: Headers;
  raw: string;
}

export interface TestAppOptions {
  /** Extra environment, e.g. { ACCESS_TOKEN_TTL_SECONDS: '60' }. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse an existing database (a second instance of the service). */
  databaseUrl?: string;
  /** Captures every log line written by the app. */
  logLines?: string[];
  onQuery?: (sql: string) => void;
  /** Job queue timings (the app works jobs unless env WORKER is off). */
  jobTuning?: Partial<JobTuning>;
  /** The purge schedule's cron expression instead of hourly. */
  purgeCron?: string;
  /** Listen on this port instead of any free one. */
  port?: number;
  /**
   * Environment that names the app's own origin (`http://localhost:<port>`), e.g. a PUBLIC_WEB_URL
   * for the console it serves: the app listens first, then is composed with it, so no other
   * process can take the port in between.
   */
  ownOriginEnv?: (origin: string) => Record<string, string>;
}

/** Test secrets: generated per run, shared by every instance in this process so they agree. */
const secrets = {
  FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  PASSWORD_PEPPER: randomBytes(32).toString('base64'),
};

/** The real service (schema, use cases, PostgreSQL) listening on a random port. */
export async function startTestApp(opts: TestAppOptions = {}) {
  // Listening before the service exists (it handles the requests once started), so that its
  // configuration can name the port; a failure on the way closes the listener.
  const server = createServer();
  // Operator commands run synchronously in the test's process, blocking the event loop that serves
  // this app for seconds; an idle keep-alive socket's timer, overdue by then, would close the
  // socket under the request fetch() has just sent on it (ECONNRESET). Idle sockets stay longer.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  try {
    return await startOn(server, opts);
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    throw err;
  }
}

async function startOn(server: Server, opts: TestAppOptions) {
  const port = (server.address() as AddressInfo).port;
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: '4',
    DATABASE_URL: databaseUrl,
    // Budgets out of the way; the rate-limit tests set their own.
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '100000',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
    RATE_LIMIT_CODE_ATTEMPTS: '100000',
    RATE_LIMIT_PASSWORD_CHECKS_PER_SESSION: '100000',
    RATE_LIMIT_PASSWORD_CHECKS_PER_ACCOUNT: '100000',
    // No signed audit checkpoints at 10-minute boundaries in the middle of tests that count
    // statements or jobs; the checkpoint tests schedule their own.
    AUDIT_CHECKPOINT_CRON: 'off',
    // The run's Redis is shared: instances of one database share counters, other databases do not.
    REDIS_KEY_PREFIX: `test:${new URL(databaseUrl).pathname.slice(1)}:`,
    ...secrets,
    ...opts.env,
    ...opts.ownOriginEnv?.(`http://localhost:${port}`),
  });
  const scope = createRequestScope();
  // Every app logs at debug level into the run's log scan, and into the test's own lines if asked.
  const logger = createLogger({
    level: 'debug',
    scope,
    destination: {
      write(line: string) {
        opts.logLines?.push(line);
        recordLogLine(line);
      },
    },
  });
  const service = await composeService({
    config,
    databaseUrl,
    logger,
    scope,
    clock: opts.clock,
    poolMax: 20,
    onQuery: opts.onQuery,
    jobTuning: opts.jobTuning,
    purgeCron: opts.purgeCron,
  });
  try {
    await service.start();
  } catch (err) {
    // As the service's boot would: refuse to start, leaving nothing open.
    await service.close();
    throw err;
  }
  server.on('request', service.app);
  const baseUrl = `http://127.0.0.1:${port}`;

  async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    recordSecretsIn(variablesOf(body));
    return fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function gql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<TResult>> {
    const res = await post({ query: print(document), variables }, headers);
    const raw = await res.text();
    const body = JSON.parse(raw);
    recordSecretsIn(body.data);
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers, raw };
  }

  /** For tables of operations whose types differ: the same request, untyped. */
  const gqlAny = (
    document: DocumentNode,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) =>
    gql(document as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>, variables, headers);

  return {
    baseUrl,
    gqlAny,
    databaseUrl,
    config,
    orm: service.orm,
    service,
    drained: service.drained,
    post,
    gql,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await service.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** The variables of a GraphQL request body (an object, a JSON text, or a batch of them). */
function variablesOf(body: unknown): unknown {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(parsed)) return parsed.map(variablesOf);
  return parsed && typeof parsed === 'object' ? (parsed as { variables?: unknown }).variables : undefined;
}

/** Bearer header for an access token, optionally with the device header. */
export const bearer = (accessToken: string, deviceId?: string): Record<string, string> => ({
  authorization: `Bearer ${accessToken}`,
  ...(deviceId ? { 'x-device-id': deviceId } : {}),
});
