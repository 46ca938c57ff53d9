import type { NextFunction, Request, Response } from 'express';
import type { IssuedTokens, TokenTransport } from '../identity/graphql/context.js';

/**
 * The cookies of the cookie transport. `__Host-`: set by this host only, with Path=/ and Secure,
 * never readable by another subdomain. HttpOnly keeps them from page script; SameSite=Strict
 * keeps other sites from sending them.
 */
export const REFRESH_COOKIE = '__Host-elcorp-refresh';
export const DEVICE_TRUST_COOKIE = '__Host-elcorp-device-trust';
const ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Strict';

/** The request's cookies by name (RFC 6265 syntax; values are tokens, never quoted here). */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

const setCookie = (name: string, value: string, expires: Date, now: Date) =>
  `${name}=${value}; ${ATTRIBUTES}; Max-Age=${Math.max(0, Math.floor((expires.getTime() - now.getTime()) / 1000))}`;
const clearCookie = (name: string) => `${name}=; ${ATTRIBUTES}; Max-Age=0`;

/** The token cookies a request carries, read once per request (the origin check and GraphQL share them). */
function tokenCookiesOf(req: Request): { refreshToken?: string; deviceTrustToken?: string } {
  const cached = (req as { tokenCookies?: { refreshToken?: string; deviceTrustToken?: string } })
    .tokenCookies;
  if (cached) return cached;
  const cookies = readCookies(req.get('cookie'));
  const found = {
    refreshToken: cookies.get(REFRESH_COOKIE) || undefined,
    deviceTrustToken: cookies.get(DEVICE_TRUST_COOKIE) || undefined,
  };
  Object.assign(req, { tokenCookies: found });
  return found;
}

/**
 * The token transport of one request. A request asks for cookies with `X-Token-Transport: cookie`.
 * A POST carrying a token cookie from an origin that may not use it never gets here
 * (refuseForeignTokenCookies), and no query reads the cookies.
 */
export function tokenTransport(req: Request, res: Response, opts: { now: () => Date }): TokenTransport {
  const { refreshToken, deviceTrustToken } = tokenCookiesOf(req);
  const append = (cookie: string) => res.append('Set-Cookie', cookie);
  return {
    cookies: req.get('x-token-transport')?.toLowerCase() === 'cookie',
    refreshToken,
    deviceTrustToken,
    issue(tokens: IssuedTokens) {
      const now = opts.now();
      if (tokens.refreshToken)
        append(setCookie(REFRESH_COOKIE, tokens.refreshToken, tokens.refreshTokenExpiresAt, now));
      if (tokens.deviceTrustToken && tokens.deviceTrustTokenExpiresAt)
        append(
          setCookie(DEVICE_TRUST_COOKIE, tokens.deviceTrustToken, tokens.deviceTrustTokenExpiresAt, now),
        );
    },
    clear() {
      append(clearCookie(REFRESH_COOKIE));
      append(clearCookie(DEVICE_TRUST_COOKIE));
    },
  };
}

/**
 * Refuses (403, before GraphQL runs) a POST that carries a token cookie from an origin that may
 * not use it: a listed origin or the service's own. SameSite=Strict already keeps other sites'
 * pages from sending the cookies; this also stops a same-site page that is not on the list, and any
 * non-browser client replaying them. GETs pass: no query reads the cookies, and Apollo refuses
 * mutations over GET.
 */
export function refuseForeignTokenCookies(isAllowed: (req: Request) => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const { refreshToken, deviceTrustToken } = tokenCookiesOf(req);
    if ((refreshToken || deviceTrustToken) && !isAllowed(req)) {
      res.status(403).json({
        errors: [
          {
            message: 'Token cookies are accepted only from allowed origins',
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
      return;
    }
    next();
  };
}
