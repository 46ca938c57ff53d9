import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { apolloHandler, graphqlFirst } from '../../src/http/graphql-route';

/** The direct /graphql path of the request listener, on a real server with handlers of the test's own. */
async function serve(handlers: RequestHandler[], onError: ErrorRequestHandler) {
  const app = express();
  app.get('/elsewhere', (_req, res) => {
    res.json({ through: 'express' });
  });
  const server: Server = createServer(graphqlFirst(app, handlers, onError));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => server.close(r)) };
}

const answer500: ErrorRequestHandler = (err, _req, res, _next) => {
  res.status(500).json({ error: err instanceof Error ? 'an Error' : typeof err });
};

describe('the direct /graphql path', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(() => expect(unhandled).toEqual([]));

  it('runs the handlers in order on Express’s request and response; other paths go through Express', async () => {
    const seen: string[] = [];
    const server = await serve(
      [
        (req, _res, next) => {
          seen.push(`first ${req.originalUrl} ${req.get('x-probe')}`);
          next();
        },
        async (req, res) => {
          seen.push(`second ${req.protocol}`);
          res.status(201).json({ ok: true });
        },
      ],
      answer500,
    );
    try {
      const res = await fetch(`${server.base}/graphql?x=1`, { headers: { 'x-probe': 'p' } });
      expect([res.status, await res.json()]).toEqual([201, { ok: true }]);
      expect(seen).toEqual(['first /graphql?x=1 p', 'second http']);
      const other = await fetch(`${server.base}/elsewhere`);
      expect(await other.json()).toEqual({ through: 'express' });
    } finally {
      await server.close();
    }
  });

  it('hands a thrown error, and a promise rejected even without a reason, to the error handler', async () => {
    for (const failing of [
      () => {
        throw new Error('thrown');
      },
      () => Promise.reject(new Error('rejected')),
      // biome-ignore lint/suspicious/noExplicitAny: a rejection without a reason, as a careless handler makes it
      () => Promise.reject(undefined as any),
    ] as RequestHandler[]) {
      const server = await serve([failing], answer500);
      try {
        const res = await fetch(`${server.base}/graphql`);
        expect([res.status, await res.json()]).toEqual([500, { error: 'an Error' }]);
      } finally {
        await server.close();
      }
    }
  });

  it('drops the connection when the answer had begun, or the error handler fails too', async () => {
    const begun: RequestHandler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      await new Promise((r) => setImmediate(r));
      throw new Error('after the headers');
    };
    const failingHandler: ErrorRequestHandler = () => {
      throw new Error('the error handler failed');
    };
    for (const [handler, onError] of [
      [begun, answer500],
      [() => Promise.reject(new Error('x')), failingHandler],
    ] as [RequestHandler, ErrorRequestHandler][]) {
      const server = await serve([handler], onError);
      try {
        await expect(fetch(`${server.base}/graphql`).then((res) => res.text())).rejects.toThrow();
      } finally {
        await server.close();
      }
    }
  });

  it('gives Apollo the query string without a fragment', async () => {
    const apollo = new ApolloServer({
      typeDefs: 'type Query { echo(text: String): String }',
      resolvers: { Query: { echo: (_: unknown, args: { text?: string }) => args.text ?? null } },
      csrfPrevention: false,
    });
    await apollo.start();
    const server = await serve([apolloHandler(apollo, async () => ({}))], answer500);
    try {
      // The variables come last, so a fragment left on would end their JSON.
      const query = `query=${encodeURIComponent('query ($t: String) { echo(text: $t) }')}&variables=${encodeURIComponent('{"t":"hi"}')}`;
      // fetch() strips a fragment before sending; a raw request keeps it on the wire.
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: server.port, path: `/graphql?${query}#tail` },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ data: { echo: 'hi' } });
    } finally {
      await server.close();
      await apollo.stop();
    }
  });
});
