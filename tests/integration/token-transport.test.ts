import { testClock } from '../support/clock';
import { aRegistration } from '../support/factories';
import { recordSecretsIn } from '../support/log-scan';
import { startTestApp, type TestApp } from '../support/test-app';

const APP_ORIGIN = 'https://app.elcorp.example';
const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  // A clock that stands still: the access token's lifetime reads exactly.
  app = await startTestApp({
    clock: testClock(),
    env: { CORS_ORIGINS: `${APP_ORIGIN},http://localhost:5173` },
  });
});
afterAll(() => app.close());

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { __typename accessToken accessTokenExpiresAt accessTokenExpiresIn refreshToken deviceTrustToken user { id email } session { id } }
}`;
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { ... on AuthPayload { accessToken refreshToken deviceTrustToken } }
}`;
const REFRESH =
  'mutation Refresh($input: RefreshInput!) { refresh(input: $input) { accessToken refreshToken } }';
const LOGOUT = 'mutation { logout }';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, Record<string, unknown> | boolean | null> | null;
    errors?: { extensions: { code: string } }[];
  };
}

async function call(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await app.post({ query, variables }, headers);
  const body = (await res.json()) as Answer['body'];
  recordSecretsIn(body.data);
  return { status: res.status, headers: res.headers, body };
}

/** The cookies a response sets, by name: value and attributes. */
function setCookies(headers: Headers) {
  const cookies = new Map<string, { value: string; attributes: string[] }>();
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), { value: pair.slice(eq + 1), attributes });
  }
  return cookies;
}

const cookieHeader = (cookies: Map<string, { value: string }>) =>
  [...cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');

describe('CORS on /graphql', () => {
  const preflight = (origin: string) =>
    fetch(`${app.baseUrl}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, x-token-transport',
      },
    });

  it('answers a listed origin’s preflight with credentials and the headers a browser app sends', async () => {
    const res = await preflight(APP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization, x-device-id, x-token-transport, apollo-require-preflight',
    );
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('gives any other origin no CORS header at all', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(204);
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const post = await call('{ __typename }', {}, { origin: 'https://evil.example' });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    expect(post.headers.get('vary')).toMatch(/Origin/);
  });

  it('exposes X-Request-Id to a listed origin', async () => {
    const res = await call('{ __typename }', {}, { origin: APP_ORIGIN });
    expect(res.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('signing up and staying signed in with the cookie transport', () => {
  it('signs up and in with one request, tokens in the body by default', async () => {
    const res = await call(SIGN_UP, {
      input: { ...aRegistration(), deviceId: 'web-1', deviceName: 'Firefox' },
    });
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data?.signUp as Record<string, unknown>;
    expect(payload.__typename).toBe('AuthPayload');
    // Whole seconds until the token's `exp` (itself whole seconds), never more than its 15 minutes.
    const untilExpiry = (Date.parse(payload.accessTokenExpiresAt as string) - clock.now().getTime()) / 1000;
    expect(payload.accessTokenExpiresIn).toBe(Math.floor(untilExpiry));
    expect([899, 900]).toContain(payload.accessTokenExpiresIn);
    expect(typeof payload.refreshToken).toBe('string');
    expect(typeof payload.deviceTrustToken).toBe('string');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('keeps the refresh and device-trust tokens in HttpOnly cookies, refreshes and signs out with them', async () => {
    const registration = aRegistration();
    const cookieTransport = { origin: APP_ORIGIN, 'x-token-transport': 'cookie' };
    const signedUp = await call(SIGN_UP, { input: { ...registration, deviceId: 'web-2' } }, cookieTransport);
    expect(signedUp.body.errors).toBeUndefined();
    expect(signedUp.body.data?.signUp).toMatchObject({ refreshToken: null, deviceTrustToken: null });
    const cookies = setCookies(signedUp.headers);
    expect([...cookies.keys()].sort()).toEqual(['__Host-elcorp-device-trust', '__Host-elcorp-refresh']);
    for (const cookie of cookies.values()) {
      expect(cookie.attributes).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']),
      );
      expect(cookie.attributes.some((a) => /^Max-Age=\d+$/.test(a) && a !== 'Max-Age=0')).toBe(true);
    }

    // The cookie alone refreshes: a new refresh token, again only in a cookie.
    const refreshed = await call(
      REFRESH,
      { input: { deviceId: 'web-2' } },
      { origin: APP_ORIGIN, cookie: cookieHeader(cookies) },
    );
    expect(refreshed.body.errors).toBeUndefined();
    expect(refreshed.body.data?.refresh).toMatchObject({ refreshToken: null });
    const rotated = setCookies(refreshed.headers).get('__Host-elcorp-refresh');
    expect(rotated?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated?.value).not.toBe(cookies.get('__Host-elcorp-refresh')?.value);
    cookies.set('__Host-elcorp-refresh', rotated as { value: string; attributes: string[] });

    // The device-trust cookie is used at the next sign-in.
    const login = await call(
      LOGIN,
      { input: { identifier: registration.email, password: registration.password, deviceId: 'web-2' } },
      { ...cookieTransport, cookie: cookieHeader(cookies) },
    );
    expect(login.body.data?.login).toMatchObject({ refreshToken: null, deviceTrustToken: null });
    const afterLogin = setCookies(login.headers);
    expect(afterLogin.get('__Host-elcorp-device-trust')?.value).not.toBe(
      cookies.get('__Host-elcorp-device-trust')?.value,
    );
    for (const [name, cookie] of afterLogin) cookies.set(name, cookie);

    // Sign-out with the refresh cookie alone, no access token: both cookies are cleared.
    const out = await call(LOGOUT, {}, { origin: APP_ORIGIN, cookie: cookieHeader(cookies) });
    expect(out.body).toEqual({ data: { logout: true } });
    const cleared = setCookies(out.headers);
    expect([...cleared.keys()].sort()).toEqual(['__Host-elcorp-device-trust', '__Host-elcorp-refresh']);
    for (const cookie of cleared.values()) {
      expect(cookie.value).toBe('');
      expect(cookie.attributes).toContain('Max-Age=0');
    }
    const after = await call(
      REFRESH,
      { input: { deviceId: 'web-2' } },
      { origin: APP_ORIGIN, cookie: cookieHeader(cookies) },
    );
    expect(after.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses token cookies from an origin that may not use them, and without an origin', async () => {
    const signedUp = await call(
      SIGN_UP,
      { input: { ...aRegistration(), deviceId: 'web-3' } },
      { origin: APP_ORIGIN, 'x-token-transport': 'cookie' },
    );
    const cookie = cookieHeader(setCookies(signedUp.headers));
    for (const headers of [{ origin: 'https://evil.example', cookie }, { cookie }] as Record<
      string,
      string
    >[]) {
      const res = await call(REFRESH, { input: { deviceId: 'web-3' } }, headers);
      expect(res.status).toBe(403);
      expect(res.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // The session is untouched: from the app's origin the same cookie still refreshes.
    const ok = await call(REFRESH, { input: { deviceId: 'web-3' } }, { origin: APP_ORIGIN, cookie });
    expect(ok.body.errors).toBeUndefined();
  });

  it('answers a refresh with neither a token nor a cookie as UNAUTHENTICATED', async () => {
    const res = await call(REFRESH, { input: { deviceId: 'web-4' } });
    expect(res.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
