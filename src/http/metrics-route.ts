import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';

/**
 * GET /metrics, the Prometheus text exposition. With a token, only a request carrying
 * `Authorization: Bearer <token>` gets it (compared in constant time); any other is answered 401
 * with no metric in it. Without a token it is served to anyone, except in production, where
 * the route does not exist (404) so that metrics never leak from a deployment that forgot it.
 */
export function metricsRoute(opts: {
  token?: string;
  production: boolean;
  exposition: () => Promise<{ contentType: string; body: string }>;
}): Router {
  const router = express.Router();
  if (!opts.token && opts.production) return router;
  const expected = opts.token ? digest(opts.token) : undefined;
  router.get('/metrics', async (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    if (expected && !bearerMatches(req.get('authorization'), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).type('text/plain').send('Unauthorized\n');
      return;
    }
    try {
      const { contentType, body } = await opts.exposition();
      res.type(contentType).send(body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

/** Digests of equal length, so the comparison takes the same time whatever was sent. */
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return !!match && timingSafeEqual(digest(match[1]), expected);
}
