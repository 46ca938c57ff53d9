import { createServer, type Server } from 'node:http';
import { type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core';
import { findChromium, launchChromium } from '../support/chromium';
import { aRegistration } from '../support/factories';
import { recordSecretsIn } from '../support/log-scan';
import { freePort } from '../support/ports';
import { startTestApp, type TestApp } from '../support/test-app';
import { JWT_FORMAT } from '../support/tokens';

/**
 * A browser app on another origin using the API with cookies, in a real headless Chromium.
 * The page is served at http://localhost:<pagePort> (listed in CORS_ORIGINS) and calls the API at
 * http://localhost:<apiPort>: a cross-origin but same-site fetch, so SameSite=Strict cookies go
 * along, and http://localhost is a secure context, so Secure and __Host- cookies are kept. The
 * same page at http://127.0.0.1:<otherPort> is an origin nobody allowed. Nothing intercepts
 * requests (no page.route): every preflight is answered by the service itself.
 */

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { __typename accessToken accessTokenExpiresIn refreshToken deviceTrustToken user { id email } session { id } }
}`;
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on AuthPayload { accessToken refreshToken deviceTrustToken user { id } session { id } } }
}`;
const REFRESH =
  'mutation Refresh($input: RefreshInput!) { refresh(input: $input) { accessToken refreshToken } }';
const ME = 'query { me { id email } }';
const LOGOUT = 'mutation { logout }';

/** The headers a cross-origin client sends, which the preflight must allow. */
const CLIENT_HEADERS = [
  'content-type',
  'authorization',
  'x-device-id',
  'x-token-transport',
  'apollo-require-preflight',
];
const COOKIE_TRANSPORT = { 'x-token-transport': 'cookie' };
const DEVICE_ID = 'browser-device-1';
const EVIL_ORIGIN = 'http://evil.example';

interface GqlError {
  message: string;
  extensions?: { code?: string; requestId?: unknown };
}
interface PageResponse {
  status: number;
  /** X-Request-Id as the page's script sees it: null unless the response exposes it. */
  requestId: string | null;
  text: string;
}
/** What a request from the page gave: its response, or the error fetch rejected with. */
type PageOutcome = { response: PageResponse } | { rejected: { name: string; message: string } };

/** The page's globals used from page.evaluate (the suite compiles without the DOM library). */
interface PageGlobals {
  graphql(query: string, variables: unknown, headers: Record<string, string>): Promise<PageOutcome>;
  document: { cookie: string };
  localStorage: { length: number; key(i: number): string | null };
  sessionStorage: { length: number; key(i: number): string | null };
}

/**
 * The browser app: like a React app's API module, it keeps the access token in memory only and
 * leaves the refresh and device-trust tokens to HttpOnly cookies (credentials: 'include').
 */
const pageHtml = (apiUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>identity client</title></head>
<body><div id="root"></div><script>
const API_URL = ${JSON.stringify(apiUrl)};
window.graphql = async (query, variables, headers) => {
  try {
    const res = await fetch(API_URL + '/graphql', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { response: { status: res.status, requestId: res.headers.get('x-request-id'), text: await res.text() } };
  } catch (err) {
    return { rejected: { name: err.name, message: err.message } };
  }
};
</script></body></html>`;

/** Runs assertions; a failure names what was being checked before the matcher's own report. */
async function checking<T>(what: string, assertions: () => T | Promise<T>): Promise<T> {
  try {
    return await assertions();
  } catch (err) {
    if (err instanceof Error) err.message = `${what}\n\n${err.message}`;
    throw err;
  }
}

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
const closeServer = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server?.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

let app: TestApp;
/** The app's log lines, quoted in a failure that the server answered with an internal error. */
const logLines: string[] = [];
let browser: Browser;
let pageServer: Server;
let otherServer: Server;
/** http://localhost:<pagePort>, the allowed origin. */
let pageOrigin: string;
/** http://127.0.0.1:<otherPort>, serving the same page; not allowed. */
let otherOrigin: string;
/** http://localhost:<apiPort>: the API as the page reaches it. */
let apiUrl: string;

beforeAll(async () => {
  // Installs Chromium first when the machine lacks it.
  await findChromium();
  const [pagePort, otherPort] = [await freePort(), await freePort()];
  pageOrigin = `http://localhost:${pagePort}`;
  otherOrigin = `http://127.0.0.1:${otherPort}`;
  app = await startTestApp({ env: { CORS_ORIGINS: pageOrigin }, logLines });
  apiUrl = `http://localhost:${new URL(app.baseUrl).port}`;
  const serve = () =>
    createServer((req, res) => {
      if (req.url !== '/') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(pageHtml(apiUrl));
    });
  pageServer = serve();
  otherServer = serve();
  // Both listen on 127.0.0.1, as the app does: Chromium resolves `localhost` to ::1 and
  // 127.0.0.1 and falls back to the latter (checked below by loading /healthz).
  await listen(pageServer, pagePort);
  await listen(otherServer, otherPort);
  browser = await launchChromium();
  // A same-origin navigation, no CORS involved: does Chromium reach the app as localhost at all?
  const context = await browser.newContext();
  try {
    const health = await (await context.newPage()).goto(`${apiUrl}/healthz`);
    if (health?.status() !== 200)
      throw new Error(`Chromium loading ${apiUrl}/healthz got status ${health?.status()}, not 200`);
  } finally {
    await context.close();
  }
}, 600_000);

afterAll(async () => {
  // Closing the browser also removes the temporary profile Playwright launched it with.
  await browser?.close();
  await closeServer(pageServer);
  await closeServer(otherServer);
  await app?.close();
});

/** A page opened at an origin, with the CORS traffic the browser reported for it. */
interface Tab {
  page: Page;
  preflights: { url: string; status: number; headers: Record<string, string> }[];
  /** Requests the browser failed for CORS; reported just after the page's fetch rejects. */
  corsErrors: { url: string; corsError: string }[];
}

/** A page of `context`, opened at `origin`, watching its CORS traffic over CDP. */
async function openPage(context: BrowserContext, origin: string): Promise<Tab> {
  const page = await context.newPage();
  const preflights: Tab['preflights'] = [];
  const corsErrors: Tab['corsErrors'] = [];
  const urls = new Map<string, string>();
  // Observation only (CDP's Network domain); nothing here answers or alters a request.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Preflight')
      preflights.push({
        url: e.response.url,
        status: e.response.status,
        headers: lowerCase(e.response.headers),
      });
  });
  cdp.on('Network.loadingFailed', (e) => {
    if (e.corsErrorStatus)
      corsErrors.push({ url: urls.get(e.requestId) ?? '?', corsError: e.corsErrorStatus.corsError });
  });
  const res = await page.goto(`${origin}/`);
  if (res?.status() !== 200) throw new Error(`the page at ${origin} answered ${res?.status()}`);
  return { page, preflights, corsErrors };
}

const lowerCase = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

/** The CORS errors of the browser, waiting a little for the report that follows a rejected fetch. */
async function corsErrorsOf(tab: Tab): Promise<Tab['corsErrors']> {
  for (let i = 0; i < 40 && tab.corsErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  return tab.corsErrors;
}

/** A GraphQL request made by the page's script: a real cross-origin fetch from the page's origin. */
async function fromPage(
  { page }: Tab,
  query: string,
  variables?: unknown,
  headers: Record<string, string> = {},
) {
  recordSecretsIn(variables);
  return page.evaluate(([q, v, h]) => (globalThis as unknown as PageGlobals).graphql(q, v, h), [
    query,
    variables,
    headers,
  ] as const);
}

/** The parsed GraphQL response of a request that got one; fails naming the request and why otherwise. */
async function answered<T>(tab: Tab, what: string, outcome: PageOutcome) {
  if (!('response' in outcome))
    throw new Error(
      `${what}: the page's fetch rejected (${outcome.rejected.name}: ${outcome.rejected.message}); ` +
        `CORS errors the browser reported: ${JSON.stringify(await corsErrorsOf(tab))}`,
    );
  let body: { data?: T | null; errors?: GqlError[] };
  try {
    body = JSON.parse(outcome.response.text);
  } catch {
    throw new Error(
      `${what}: status ${outcome.response.status}, not JSON: ${outcome.response.text.slice(0, 500)}`,
    );
  }
  recordSecretsIn(body.data);
  return { ...outcome.response, ...body, errors: withServerLog(body.errors) };
}

/** Errors of a response; an internal one gets the server's error log lines of its request. */
function withServerLog(errors: GqlError[] | undefined) {
  return errors?.map((error) => {
    const requestId = error.extensions?.requestId;
    if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR' || typeof requestId !== 'string') return error;
    const logged = logLines
      .filter((line) => line.includes(requestId) && /"level":(50|60)|"level":"(error|fatal)"/.test(line))
      .map((line) => line.slice(0, 2000));
    return { ...error, serverLog: logged };
  });
}

/** A GraphQL request from the page, answered: `what` names it in failures. */
async function gqlFromPage<T>(
  tab: Tab,
  what: string,
  query: string,
  variables?: unknown,
  headers: Record<string, string> = {},
) {
  return answered<T>(tab, what, await fromPage(tab, query, variables, headers));
}

/** The cookies the browser holds for the API, their values noted as secrets for the log scan. */
async function apiCookies(context: BrowserContext): Promise<Cookie[]> {
  const cookies = await context.cookies(apiUrl);
  recordSecretsIn(cookies.map((c) => ({ token: c.value })));
  return cookies;
}
const describeCookies = (cookies: Cookie[]) =>
  cookies.map(({ name, httpOnly, secure, sameSite, path }) => ({ name, httpOnly, secure, sameSite, path }));

/** One request to the API from Node, as any client could send it (no browser rules apply). */
async function fromNode(method: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${app.baseUrl}/graphql`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const headerList = (value: string | null | undefined) =>
  (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);

describe('CORS for a browser app on another origin', () => {
  it('answers the preflight of the allowed origin with 204, credentials and the client headers', async () => {
    const res = await fromNode('OPTIONS', {
      origin: pageOrigin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': CLIENT_HEADERS.join(','),
    });
    await checking(`OPTIONS /graphql from ${pageOrigin}: status, Allow-Origin and Allow-Credentials`, () =>
      expect({
        status: res.status,
        allowOrigin: res.headers.get('access-control-allow-origin'),
        allowCredentials: res.headers.get('access-control-allow-credentials'),
      }).toEqual({ status: 204, allowOrigin: pageOrigin, allowCredentials: 'true' }),
    );
    await checking(`OPTIONS /graphql from ${pageOrigin}: Access-Control-Allow-Headers`, () =>
      expect(headerList(res.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(CLIENT_HEADERS),
      ),
    );
    await checking(`OPTIONS /graphql from ${pageOrigin}: Access-Control-Allow-Methods`, () =>
      expect(headerList(res.headers.get('access-control-allow-methods'))).toContain('post'),
    );
    await checking(`OPTIONS /graphql from ${pageOrigin}: Vary`, () =>
      expect(headerList(res.headers.get('vary'))).toContain('origin'),
    );
  });

  it('answers a request of the allowed origin with Allow-Origin, Allow-Credentials, exposed X-Request-Id and Vary: Origin', async () => {
    const res = await fromNode(
      'POST',
      { origin: pageOrigin, 'content-type': 'application/json' },
      {
        query: '{ __typename }',
      },
    );
    await checking(`POST /graphql from ${pageOrigin}: the CORS headers of the response`, () =>
      expect({
        status: res.status,
        allowOrigin: res.headers.get('access-control-allow-origin'),
        allowCredentials: res.headers.get('access-control-allow-credentials'),
        exposed: headerList(res.headers.get('access-control-expose-headers')).includes('x-request-id'),
        varyOrigin: headerList(res.headers.get('vary')).includes('origin'),
      }).toEqual({
        status: 200,
        allowOrigin: pageOrigin,
        allowCredentials: 'true',
        exposed: true,
        varyOrigin: true,
      }),
    );
  });

  it('gives any other origin no CORS headers, on the preflight and on the request', async () => {
    for (const origin of [otherOrigin, EVIL_ORIGIN, pageOrigin.replace('http:', 'https:'), 'null']) {
      const preflight = await fromNode('OPTIONS', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      });
      const post = await fromNode(
        'POST',
        { origin, 'content-type': 'application/json' },
        { query: '{ __typename }' },
      );
      const corsHeaders = (headers: Headers) =>
        [...headers.keys()].filter((name) => name.startsWith('access-control-'));
      await checking(`Origin ${origin} (not allowed): CORS headers of the preflight and of the POST`, () =>
        expect({ preflight: corsHeaders(preflight.headers), post: corsHeaders(post.headers) }).toEqual({
          preflight: [],
          post: [],
        }),
      );
    }
  });

  it('lets the page on the allowed origin call the API, as the browser saw its preflight', async () => {
    const context = await browser.newContext();
    try {
      const tab = await openPage(context, pageOrigin);
      const res = await gqlFromPage<{ __typename: string }>(
        tab,
        `a query from the page at ${pageOrigin}`,
        '{ __typename }',
        undefined,
        { 'x-device-id': DEVICE_ID, 'x-token-transport': 'cookie', 'apollo-require-preflight': 'true' },
      );
      await checking("the page's query: status and data", () =>
        expect({ status: res.status, data: res.data, errors: res.errors }).toEqual({
          status: 200,
          data: { __typename: 'Query' },
          errors: undefined,
        }),
      );
      await checking('X-Request-Id readable by the page (Access-Control-Expose-Headers)', () =>
        expect(res.requestId).toEqual(expect.any(String)),
      );
      const preflight = tab.preflights.find((p) => p.url === `${apiUrl}/graphql`);
      await checking(
        `the preflight the browser sent for the query (all seen: ${JSON.stringify(tab.preflights)})`,
        () =>
          expect({
            status: preflight?.status,
            allowOrigin: preflight?.headers['access-control-allow-origin'],
            allowCredentials: preflight?.headers['access-control-allow-credentials'],
          }).toEqual({ status: 204, allowOrigin: pageOrigin, allowCredentials: 'true' }),
      );
    } finally {
      await context.close();
    }
  });

  it('blocks the fetch of the same page on an origin not allowed', async () => {
    const context = await browser.newContext();
    try {
      const tab = await openPage(context, otherOrigin);
      const outcome = await fromPage(tab, '{ __typename }', undefined, COOKIE_TRANSPORT);
      await checking(`a query from the page at ${otherOrigin}: the page's fetch must reject`, () =>
        expect('rejected' in outcome ? outcome.rejected.name : outcome).toBe('TypeError'),
      );
      // A preflight error: the POST itself, which would carry the cookies, never left the browser.
      const corsErrors = await corsErrorsOf(tab);
      await checking('the browser names a failed CORS preflight as the reason', () =>
        expect(corsErrors).toEqual([
          { url: `${apiUrl}/graphql`, corsError: expect.stringMatching(/^Preflight/) },
        ]),
      );
    } finally {
      await context.close();
    }
  });
});

describe('cookie transport, from a browser app on the allowed origin', () => {
  let context: BrowserContext;
  let tab: Tab;
  const registration = aRegistration();
  let user: { id: string; email: string };
  let sessionId: string;
  let accessToken: string;
  /** The name of the cookie holding the refresh token (the one refresh rotates). */
  let refreshCookie: string;
  /** Set when a step fails: the steps after it build on it and are not run. */
  let failedStep: string | undefined;

  beforeAll(async () => {
    context = await browser.newContext();
    tab = await openPage(context, pageOrigin);
  });
  afterAll(() => context?.close());

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (failedStep) throw new Error(`not run: it builds on the step that failed, "${failedStep}"`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    });

  const secureCookieShape = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' };

  step(
    'signUp with X-Token-Transport: cookie sets the refresh and device-trust tokens as __Host- cookies',
    async () => {
      const input = { ...registration, deviceId: DEVICE_ID, deviceName: 'Headless Chromium' };
      const res = await gqlFromPage<{
        signUp: {
          __typename: string;
          accessToken: string;
          accessTokenExpiresIn: number;
          refreshToken: string | null;
          deviceTrustToken: string | null;
          user: { id: string; email: string };
          session: { id: string };
        };
      }>(tab, 'signUp', SIGN_UP, { input }, COOKIE_TRANSPORT);
      await checking('signUp: no errors', () => expect(res.errors).toBeUndefined());
      const payload = res.data?.signUp;
      await checking('signUp: the AuthPayload (access token in the body, the other tokens null there)', () =>
        expect(payload).toEqual({
          __typename: 'AuthPayload',
          accessToken: expect.stringMatching(JWT_FORMAT),
          accessTokenExpiresIn: expect.any(Number),
          refreshToken: null,
          deviceTrustToken: null,
          user: { id: expect.any(String), email: registration.email },
          session: { id: expect.any(String) },
        }),
      );
      user = payload?.user as typeof user;
      sessionId = payload?.session.id as string;
      accessToken = payload?.accessToken as string;
      const cookies = await apiCookies(context);
      const hostCookies = cookies.filter((c) => c.name.startsWith('__Host-'));
      await checking(
        `signUp: two __Host- cookies, refresh and device trust (all cookies: ${cookies.map((c) => c.name)})`,
        () => expect(hostCookies.length).toBeGreaterThanOrEqual(2),
      );
      await checking('signUp: every cookie HttpOnly, Secure, SameSite=Strict, Path=/', () =>
        expect(describeCookies(cookies)).toEqual(
          cookies.map((c) => ({ name: c.name, ...secureCookieShape })),
        ),
      );
      await checking('signUp: no cookie value appears in the response body', () =>
        expect(cookies.filter((c) => res.text.includes(c.value)).map((c) => c.name)).toEqual([]),
      );
    },
  );

  step('me answers with the in-memory access token (Authorization and X-Device-Id)', async () => {
    const res = await gqlFromPage<{ me: { id: string; email: string } }>(tab, 'me', ME, undefined, {
      authorization: `Bearer ${accessToken}`,
      'x-device-id': DEVICE_ID,
    });
    await checking('me: the signed-up user', () =>
      expect({ data: res.data, errors: res.errors }).toEqual({ data: { me: user }, errors: undefined }),
    );
  });

  step(
    'refresh with only the deviceId uses the cookie, rotates it and returns a new access token',
    async () => {
      const before = await apiCookies(context);
      const res = await gqlFromPage<{ refresh: { accessToken: string; refreshToken: string | null } }>(
        tab,
        'refresh',
        REFRESH,
        { input: { deviceId: DEVICE_ID } },
        COOKIE_TRANSPORT,
      );
      await checking('refresh: a new access token in the body, the refresh token null there', () =>
        expect({ data: res.data, errors: res.errors }).toEqual({
          data: { refresh: { accessToken: expect.stringMatching(JWT_FORMAT), refreshToken: null } },
          errors: undefined,
        }),
      );
      const fresh = res.data?.refresh.accessToken as string;
      await checking('refresh: the access token is a new one', () => expect(fresh).not.toBe(accessToken));
      accessToken = fresh;
      const after = await apiCookies(context);
      const rotated = after.filter((c) => before.find((b) => b.name === c.name)?.value !== c.value);
      await checking('refresh: exactly one cookie (the refresh token) got a new value', () =>
        expect(rotated.map((c) => c.name)).toEqual([expect.stringMatching(/^__Host-/)]),
      );
      await checking('refresh: the rotated cookie is still HttpOnly, Secure, SameSite=Strict, Path=/', () =>
        expect(describeCookies(rotated)).toEqual([{ name: rotated[0].name, ...secureCookieShape }]),
      );
      refreshCookie = rotated[0].name;
      const me = await gqlFromPage<{ me: { id: string } }>(tab, 'me after refresh', ME, undefined, {
        authorization: `Bearer ${accessToken}`,
        'x-device-id': DEVICE_ID,
      });
      await checking('me with the refreshed access token', () => expect(me.data?.me.id).toBe(user.id));
    },
  );

  step(
    'a request carrying the cookies from an origin not allowed is refused and changes nothing',
    async () => {
      const cookieHeader = (await apiCookies(context)).map((c) => `${c.name}=${c.value}`).join('; ');
      const sessionRow = () =>
        app.orm.em.getConnection().execute('select * from sessions where id = ?', [sessionId]);
      const rowBefore = JSON.stringify(await sessionRow());
      const attempts = {
        refresh: { query: REFRESH, variables: { input: { deviceId: DEVICE_ID } } },
        logout: { query: LOGOUT },
      };
      for (const [name, body] of Object.entries(attempts)) {
        const res = await fromNode(
          'POST',
          {
            origin: EVIL_ORIGIN,
            cookie: cookieHeader,
            'content-type': 'application/json',
            ...COOKIE_TRANSPORT,
          },
          body,
        );
        let parsed: { data?: Record<string, unknown> | null; errors?: GqlError[] } = {};
        try {
          parsed = JSON.parse(res.text);
        } catch {}
        await checking(
          `${name} with the cookies from ${EVIL_ORIGIN}: an error, no data, no cookie set, no CORS headers`,
          () =>
            expect({
              refused: res.status >= 400 || (parsed.errors?.length ?? 0) > 0,
              data: parsed.data?.[name] ?? null,
              setCookie: res.headers.get('set-cookie'),
              allowOrigin: res.headers.get('access-control-allow-origin'),
            }).toEqual({ refused: true, data: null, setCookie: null, allowOrigin: null }),
        );
      }
      await checking(
        'the session row is untouched by the refused requests (not rotated, not revoked)',
        async () => expect(JSON.stringify(await sessionRow())).toBe(rowBefore),
      );
    },
  );

  step(
    'logout from the refresh cookie alone (no Authorization) ends the session and clears the cookies',
    async () => {
      const before = await apiCookies(context);
      const oldRefresh = before.find((c) => c.name === refreshCookie);
      const res = await gqlFromPage<{ logout: boolean }>(tab, 'logout', LOGOUT);
      await checking('logout: true', () =>
        expect({ data: res.data, errors: res.errors }).toEqual({ data: { logout: true }, errors: undefined }),
      );
      const after = await apiCookies(context);
      await checking('logout: the token cookies are cleared (the refresh and the device-trust cookie)', () =>
        expect(after.map((c) => c.name)).toEqual([]),
      );
      // Not just forgotten by this browser: the token the cookie held no longer works anywhere.
      const replay = await fromNode(
        'POST',
        {
          origin: pageOrigin,
          cookie: `${refreshCookie}=${oldRefresh?.value}`,
          'content-type': 'application/json',
          ...COOKIE_TRANSPORT,
        },
        { query: REFRESH, variables: { input: { deviceId: DEVICE_ID } } },
      );
      await checking("logout: the old refresh cookie's token, sent again, is refused", () =>
        expect(JSON.parse(replay.text).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED'),
      );
    },
  );

  step('refresh after logout fails with UNAUTHENTICATED', async () => {
    const res = await gqlFromPage<{ refresh: unknown }>(
      tab,
      'refresh after logout',
      REFRESH,
      { input: { deviceId: DEVICE_ID } },
      COOKIE_TRANSPORT,
    );
    await checking('refresh after logout: no data, UNAUTHENTICATED', () =>
      expect({ data: res.data?.refresh ?? null, code: res.errors?.[0]?.extensions?.code }).toEqual({
        data: null,
        code: 'UNAUTHENTICATED',
      }),
    );
  });

  step('login with X-Token-Transport: cookie signs in again with the tokens in cookies', async () => {
    const input = { identifier: registration.email, password: registration.password, deviceId: DEVICE_ID };
    const res = await gqlFromPage<{
      login: {
        __typename: string;
        accessToken: string;
        refreshToken: string | null;
        deviceTrustToken: string | null;
      };
    }>(tab, 'login', LOGIN, { input }, COOKIE_TRANSPORT);
    await checking('login: an AuthPayload, access token in the body, the other tokens null there', () =>
      expect({ data: res.data, errors: res.errors }).toEqual({
        data: {
          login: {
            __typename: 'AuthPayload',
            accessToken: expect.stringMatching(JWT_FORMAT),
            refreshToken: null,
            deviceTrustToken: null,
            user: { id: user.id },
            session: { id: expect.any(String) },
          },
        },
        errors: undefined,
      }),
    );
    accessToken = res.data?.login.accessToken as string;
    const cookies = await apiCookies(context);
    await checking(
      `login: the refresh cookie ${refreshCookie} is set again, HttpOnly, Secure, SameSite=Strict`,
      () =>
        expect(describeCookies(cookies.filter((c) => c.name === refreshCookie))).toEqual([
          { name: refreshCookie, ...secureCookieShape },
        ]),
    );
    const refreshed = await gqlFromPage<{ refresh: { accessToken: string } }>(
      tab,
      'refresh after login',
      REFRESH,
      { input: { deviceId: DEVICE_ID } },
      COOKIE_TRANSPORT,
    );
    await checking('refresh after login: a new access token', () =>
      expect(refreshed.data?.refresh.accessToken).toMatch(JWT_FORMAT),
    );
    accessToken = refreshed.data?.refresh.accessToken as string;
  });

  step('the page can read no token: document.cookie holds none, Web Storage is empty', async () => {
    const seen = await tab.page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const keys = (s: PageGlobals['localStorage']) => Array.from({ length: s.length }, (_, i) => s.key(i));
      return {
        cookie: g.document.cookie,
        localStorage: keys(g.localStorage),
        sessionStorage: keys(g.sessionStorage),
      };
    });
    const cookies = await apiCookies(context);
    await checking('the page: document.cookie, localStorage and sessionStorage', () =>
      expect(seen).toEqual({ cookie: '', localStorage: [], sessionStorage: [] }),
    );
    await checking('the browser holds the token cookies, every one HttpOnly, Secure, SameSite=Strict', () => {
      expect(cookies.length).toBeGreaterThan(0);
      expect(describeCookies(cookies)).toEqual(cookies.map((c) => ({ name: c.name, ...secureCookieShape })));
      expect(cookies.every((c) => c.name.startsWith('__Host-'))).toBe(true);
    });
    await checking('no cookie holds the access token', () =>
      expect(cookies.filter((c) => c.value === accessToken).map((c) => c.name)).toEqual([]),
    );
  });
});
