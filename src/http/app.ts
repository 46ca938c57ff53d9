import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { JSONWebKeySet } from 'jose';
import type { Orm } from '../adapters/database/orm.js';
import type { Metrics } from '../adapters/metrics/metrics.js';
import { jwksStaleIfErrorSeconds } from '../adapters/tokens/signing-keys.js';
import type { Config } from '../config/config.js';
import type { Authenticate } from '../identity/application/authenticate.js';
import type { UseCases } from '../identity/application/identity-application.js';
import type { GraphQLContext } from '../identity/graphql/context.js';
import { createErrorFormatter } from '../identity/graphql/format-error.js';
import { DOCUMENT_LIMITS, documentValidationRules } from '../identity/graphql/limits.js';
import { buildAppSchema } from '../identity/graphql/schema.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger, RequestScopeStorage } from '../kernel/logger.js';
import { accountConsole } from './account-console.js';
import { type AuditCheckpointSource, auditCheckpointRoutes } from './audit-checkpoint.js';
import { cors, originAllowed } from './cors.js';
import { EdgeGraphQLContext, type GraphQLContextDeps } from './graphql-context.js';
import { graphqlMetricsPlugin } from './graphql-metrics.js';
import { apolloHandler, graphqlFirst } from './graphql-route.js';
import { healthRoutes } from './health.js';
import { createInFlight } from './in-flight.js';
import { metricsRoute } from './metrics-route.js';
import { requestScope } from './request-scope.js';
import { refuseForeignTokenCookies } from './token-cookies.js';

export const BODY_LIMIT = '100kb';

export interface HttpAppDeps {
  config: Config;
  orm: Orm;
  /** A logger built on `scope`, so its lines carry the request id. */
  logger: Logger;
  scope: RequestScopeStorage;
  useCases: UseCases;
  authenticate: Authenticate;
  clock: Clock;
  /** The public signing keys, served at /.well-known/jwks.json. */
  jwks: () => Promise<JSONWebKeySet>;
  /** The signed audit checkpoints, served at /.well-known/audit-checkpoint(-keys). */
  auditCheckpoints: AuditCheckpointSource;
  /** Served at /metrics (see metricsRoute); GraphQL requests are counted into it. */
  metrics: Pick<Metrics, 'exposition' | 'graphqlRequest'>;
}

/**
 * The HTTP edge: Express with the health routes, the metrics, the JWKS and Apollo at /graphql,
 * building one request context per request. It is handed every use case; it builds none.
 */
export async function createHttpApp(deps: HttpAppDeps) {
  const { config, orm, logger, scope } = deps;
  const production = config.profile === 'production';

  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildAppSchema(),
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // main.ts owns shutdown: stop accepting, drain, then close the pool and the database.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    validationRules: documentValidationRules,
    parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens },
    formatError: createErrorFormatter({ logger, requestId: () => scope.getStore()?.requestId }),
    plugins: [
      // Both would otherwise be installed by default and hook every field of every request: the
      // answers of an identity service are never cached by hints, and it is not a federated subgraph.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ operationName }) {
              const store = scope.getStore();
              if (store) store.operationName = operationName ?? undefined;
            },
          };
        },
      },
      graphqlMetricsPlugin(deps.metrics.graphqlRequest),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.trustedProxies));
  app.use(requestScope(scope, logger));
  app.use(healthRoutes(orm));
  app.use(
    metricsRoute({ token: config.metricsToken, production, exposition: () => deps.metrics.exposition() }),
  );
  // The public signing keys, sent as canonical JSON (members sorted) with a strong ETag over those
  // bytes, so a verifier revalidates with If-None-Match and gets 304 while the set is unchanged.
  // While PostgreSQL is down the last keys read are served for jwksStaleIfErrorSeconds, and
  // caches are told by stale-if-error that they may do the same; a failure past that is answered
  // with no-store, so that no cache keeps the error in place of the keys.
  const jwksCacheControl = `public, max-age=300, stale-if-error=${jwksStaleIfErrorSeconds(config.jwt.accessTokenTtlSeconds)}`;
  const canonicalJson = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );
  app.get('/.well-known/jwks.json', async (req, res, next) => {
    let body: string;
    try {
      body = canonicalJson(await deps.jwks());
    } catch (err) {
      res.setHeader('Cache-Control', 'no-store');
      next(err);
      return;
    }
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
    const etag = `"${Buffer.from(digest).toString('base64url')}"`;
    res.setHeader('Cache-Control', jwksCacheControl);
    res.setHeader('ETag', etag);
    // If-None-Match by weak comparison (RFC 9110 13.1.2), whatever the request's Cache-Control:
    // fetch() adds `no-cache` to every conditional request, which Express's req.fresh refuses.
    const ifNoneMatch = req.get('if-none-match');
    const matched =
      ifNoneMatch?.trim() === '*' ||
      !!ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
    if (matched) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(body);
  });
  app.use(auditCheckpointRoutes(deps.auditCheckpoints));
  // The account console (web/), served from its production build on this origin.
  app.use('/account', accountConsole());
  const inFlight = createInFlight();
  // What a request's context may reach: not the configuration and its secrets.
  const contextDeps: GraphQLContextDeps = {
    orm,
    scope,
    useCases: deps.useCases,
    authenticate: deps.authenticate,
    clock: deps.clock,
  };
  const graphql: RequestHandler[] = [
    cors(config.corsOrigins),
    refuseForeignTokenCookies((req) => originAllowed(req, config.corsOrigins)),
    express.json({ limit: BODY_LIMIT }),
    inFlight.track(
      apolloHandler(
        apollo,
        async ({ req, res }): Promise<GraphQLContext> => new EdgeGraphQLContext(contextDeps, req, res),
      ),
    ),
  ];
  app.use('/graphql', ...graphql);
  const onError = httpErrorHandler(logger);
  app.use(onError);

  return {
    /** The request listener: /graphql straight to its handlers, everything else through Express. */
    app: graphqlFirst(app, [requestScope(scope, logger), ...graphql], onError),
    /** After the server stopped accepting: waits for GraphQL handlers still running. */
    drained: inFlight.drained,
    async close() {
      await apollo.stop();
    },
  };
}

export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>;

/** TRUSTED_PROXIES for Express: IPs and CIDRs, "loopback" for 127.0.0.0/8 and ::1; none by default. */
function trustProxySetting(proxies: string[]): string[] | false {
  return proxies.length > 0 ? proxies : false;
}

/** Errors outside GraphQL (oversized or malformed bodies, failures in plain routes), as JSON without details. */
function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ error: { type: err?.constructor?.name } }, 'unhandled HTTP error');
    const message =
      status === 413
        ? 'Request body is larger than 100 KB'
        : status === 500
          ? 'Internal server error'
          : 'Bad request';
    res.status(status).json({
      errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  };
}
