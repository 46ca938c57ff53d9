import type { NextFunction, Request, Response } from 'express';
import type { IssuedTokens, TokenTransport } from '../identity/graphql/context.js';
import { forbidden } from '../kernel/errors.js';

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

/**
 * The token transport of one request. A request asks for cookies with `X-Token-Transport: cookie`;
 * one that carries a token cookie may only come from an allowed origin (a listed one, or the
 * service's own), which `assertOrigin` checks before any token is read.
 */
export function tokenTransport(
  req: Request,
  res: Response,
  opts: { originAllowed: boolean; now: () => Date },
): TokenTransport {
  const cookies = readCookies(req.get('cookie'));
  const refreshToken = cookies.get(REFRESH_COOKIE) || undefined;
  const deviceTrustToken = cookies.get(DEVICE_TRUST_COOKIE) || undefined;
  const carriesTokens = refreshToken !== undefined || deviceTrustToken !== undefined;
  const guard = () => {
    if (carriesTokens && !opts.originAllowed)
      throw forbidden('Token cookies are accepted only from allowed origins');
  };
  const append = (cookie: string) => res.append('Set-Cookie', cookie);
  return {
    cookies: req.get('x-token-transport')?.toLowerCase() === 'cookie',
    get refreshToken() {
      guard();
      return refreshToken;
    },
    get deviceTrustToken() {
      guard();
      return deviceTrustToken;
    },
    assertOrigin: guard,
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
    const cookies = readCookies(req.get('cookie'));
    if ((cookies.has(REFRESH_COOKIE) || cookies.has(DEVICE_TRUST_COOKIE)) && !isAllowed(req)) {
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
