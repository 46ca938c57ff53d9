import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response, Router } from 'express';

/**
 * The account console's policy: scripts, styles and connections from this origin only, images
 * also as data: URLs (the TOTP QR code); no inline script or style, no plugins, no framing, and
 * forms post nowhere else.
 */
export const ACCOUNT_CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The console's production build, web/dist, found from this file upwards (src/http when run
 * from source, dist/src/http when built).
 */
export function accountConsoleDir(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'web', 'package.json')) || existsSync(join(dir, 'web', 'dist')))
      return join(dir, 'web', 'dist');
    if (dirname(dir) === dir) return join(from, 'web', 'dist');
  }
}

/**
 * Serves the account console (a single-page app) at /account, on the service's own origin, so it
 * uses the cookie transport without CORS. Hashed assets are cached for a year; index.html is
 * revalidated every time and answers every other path (the app's routes, such as
 * /account/verify-email?token=…).
 */
export function accountConsole(dir = accountConsoleDir()) {
  const router = Router();
  const index = join(dir, 'index.html');
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', ACCOUNT_CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Links from mails carry a token in the query: never send the address on to anyone.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }),
    (_req: Request, res: Response) => {
      res.status(404).type('text/plain').send('Not found');
    },
  );
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send(
          'The account console is not built: run `npm run build -w web` (npm start does it when needed).',
        );
      return;
    }
    res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  });
  return router;
}
