import { createServer, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the relay saw it, and later its answer. */
export interface Exchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HoldingRelayOptions {
  /** Sees every request before it goes on. */
  onRequest?: (exchange: Exchange) => void;
  /**
   * Sees every answer before it goes back: a promise returned holds the answer until it settles,
   * as a slow network would.
   */
  hold?: (exchange: Exchange, answer: string) => Promise<unknown> | undefined;
}

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * An HTTP relay on http://localhost:<port> to `target` (the test app's base URL) that passes every
 * request and answer on unchanged, the Host header included (so the service sees the relay's
 * origin as its own, as behind a reverse proxy), except that it can hold an answer back for a
 * while: the order in which a browser receives answers becomes the test's to choose.
 */
export async function startHoldingRelay(target: string, opts: HoldingRelayOptions) {
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const exchange: Exchange = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: body.toString('utf8'),
      };
      opts.onRequest?.(exchange);
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        const out = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: exchange.method,
            path: exchange.url,
            headers: req.headers,
          },
          resolve,
        );
        out.once('error', reject);
        out.end(body);
      });
      const answerBody = await readAll(answer);
      await opts.hold?.(exchange, answerBody.toString('utf8'));
      const headers = { ...answer.headers, 'content-length': String(answerBody.length) };
      delete headers['transfer-encoding'];
      delete headers.connection;
      res.writeHead(answer.statusCode ?? 502, headers).end(answerBody);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
