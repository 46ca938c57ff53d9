import type { NextFunction, Request, Response } from 'express';

/** Request headers a browser client may send to /graphql. */
const ALLOWED_HEADERS =
  'content-type, authorization, x-device-id, x-token-transport, apollo-require-preflight';

/**
 * CORS for /graphql from an allowlist of exact origins. A listed origin gets its preflight
 * answered here (204, before Apollo's CSRF guard sees it) and credentials allowed; every response
 * varies by Origin and exposes X-Request-Id. Any other origin gets no CORS header at all, so the
 * browser keeps the response from the page.
 */
export function cors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const listed = origin !== undefined && allowed.has(origin);
    if (listed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
    }
    if (req.method !== 'OPTIONS') return next();
    if (listed) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}

/** Whether a request's Origin may send credentials: a listed origin, or the service's own. */
export function originAllowed(req: Request, allowedOrigins: readonly string[]): boolean {
  const origin = req.get('origin');
  if (!origin) return false;
  return allowedOrigins.includes(origin) || origin === `${req.protocol}://${req.get('host')}`;
}
