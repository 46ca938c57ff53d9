import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';

/**
 * Apollo at /graphql as one Express handler: the request's headers, query string and parsed body
 * go to `executeHTTPGraphQLRequest`, and its answer is written as it comes. The body is sent with
 * its length and no ETag: a GraphQL answer is never revalidated.
 */
export function apolloHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  context: (args: { req: Request; res: Response }) => Promise<Context>,
): RequestHandler {
  apollo.assertStarted('apolloHandler()');
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // The query string: after `?`, up to a fragment a client should not have sent.
    const query = req.url.indexOf('?');
    const fragment = req.url.indexOf('#', query);
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method.toUpperCase(),
        headers,
        search: query === -1 ? '' : req.url.slice(query, fragment === -1 ? undefined : fragment),
        body: req.body,
      },
      context: () => context({ req, res }),
    });
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      res.setHeader('Content-Length', Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** `/graphql` exactly, with or without a query string. */
const isGraphqlPath = (url: string | undefined) =>
  url?.startsWith('/graphql') && (url.length === 8 || url[8] === '?');

/**
 * The service's request listener: `/graphql` runs its handlers in order straight away, every
 * other path goes through the Express app. Express's router matches each request against every
 * route before the one that takes it, which on the busiest path cost more than a fifth of the
 * bytes a request allocates; the handlers themselves are the ones the app mounts at /graphql, on
 * Express's request and response, so they behave the same on either path.
 */
export function graphqlFirst(
  app: Express,
  handlers: readonly RequestHandler[],
  onError: ErrorRequestHandler,
): RequestListener {
  return (incoming, outgoing) => {
    if (!isGraphqlPath(incoming.url)) {
      app(incoming, outgoing);
      return;
    }
    const req = withPrototype<Request>(incoming, app.request);
    const res = withPrototype<Response>(outgoing, app.response);
    req.res = res;
    res.req = req;
    res.locals ??= Object.create(null);
    req.originalUrl = req.url;
    // A failure goes to the error handler, as Express's router would send it; once the answer
    // has begun, or if the error handler fails too, the connection is dropped (as Express's final
    // handler does), so that a failure never becomes an unhandled rejection.
    const fail = (err: unknown): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      try {
        onError(err ?? new Error('handler failed without an error'), req, res, () => {});
      } catch {
        res.destroy();
      }
    };
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined) {
        fail(err);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        res.statusCode = 404;
        res.end();
        return;
      }
      try {
        const pending: unknown = handler(req, res, next);
        if (pending instanceof Promise) pending.then(undefined, fail);
      } catch (thrown) {
        fail(thrown);
      }
    };
    next();
  };
}

function withPrototype<T>(value: IncomingMessage | ServerResponse, prototype: object): T {
  Object.setPrototypeOf(value, prototype);
  return value as T;
}
