import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type CDPSession, type Page } from 'playwright-core';
import { auditOf } from '../support/audit';
import { addPlatformAuthenticator, findChromium, launchChromium } from '../support/chromium';
import { aUser, signIn } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { JWT_FORMAT } from '../support/tokens';

/**
 * Passkeys in a real headless Chromium, with the browser's own WebAuthn code and a virtual
 * authenticator added over the DevTools protocol (WebAuthn.addVirtualAuthenticator: CTAP2, an
 * internal platform authenticator with resident keys and user verification). The page at
 * http://localhost:<pagePort> is the web app PUBLIC_WEB_URL names (http://localhost is a secure
 * context, so WebAuthn works there; the RP id is `localhost`), and it calls the API at
 * http://localhost:<apiPort> cross-origin, allowed by CORS_ORIGINS. It does what a web app
 * does: options from the API through PublicKeyCredential.parse*OptionsFromJSON, then
 * navigator.credentials.create/get, and the credential's toJSON() back to the API. Nothing
 * intercepts a request.
 */

/** The page's globals used from page.evaluate (the suite compiles without the DOM library). */
interface PageGlobals {
  registerPasskey(accessToken: string, name: string): Promise<unknown>;
  signInWithPasskey(deviceId: string): Promise<unknown>;
}

const pageHtml = (apiUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>passkeys</title></head><body><script>
const API_URL = ${JSON.stringify(apiUrl)};
async function graphql(query, variables, accessToken) {
  const res = await fetch(API_URL + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: 'Bearer ' + accessToken } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
window.registerPasskey = async (accessToken, name) => {
  const { beginPasskeyRegistration: options } = await graphql('mutation { beginPasskeyRegistration }', {}, accessToken);
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
  });
  const { finishPasskeyRegistration } = await graphql(
    'mutation ($response: JSONObject!, $name: String) { finishPasskeyRegistration(response: $response, name: $name) { id name } }',
    { response: credential.toJSON(), name },
    accessToken,
  );
  return finishPasskeyRegistration;
};
window.signInWithPasskey = async (deviceId) => {
  const { beginPasskeyLogin: options } = await graphql('mutation { beginPasskeyLogin }', {});
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  });
  const { finishPasskeyLogin } = await graphql(
    'mutation ($response: JSONObject!, $deviceId: String!) { finishPasskeyLogin(response: $response, deviceId: $deviceId, deviceName: "Chromium") { __typename ... on AuthPayload { accessToken user { id } session { deviceId } } } }',
    { response: credential.toJSON(), deviceId },
  );
  return finishPasskeyLogin;
};
</script></body></html>`;

let app: TestApp;
const logLines: string[] = [];
let browser: Browser;
let pageServer: Server;
let pageOrigin: string;

beforeAll(async () => {
  // Installs Chromium first when the machine lacks it.
  await findChromium();
  // The page's server listens first (on any free port), so that the app can be configured with
  // its origin; the page names the app's URL, known once the app listens, when it is asked for.
  pageServer = createServer((req, res) => {
    if (req.url !== '/' || !app) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(pageHtml(`http://localhost:${new URL(app.baseUrl).port}`));
  });
  await new Promise<void>((resolve, reject) => {
    pageServer.once('error', reject);
    pageServer.listen(0, '127.0.0.1', () => resolve());
  });
  pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
  app = await startTestApp({
    env: { PUBLIC_WEB_URL: pageOrigin, CORS_ORIGINS: pageOrigin },
    logLines,
  });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    if (!pageServer?.listening) return resolve();
    pageServer.closeAllConnections();
    pageServer.close(() => resolve());
  });
  await app?.close();
});

/** A tab of a fresh browser profile at the web app, with a virtual platform authenticator. */
async function tabWithAuthenticator(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { cdp, authenticatorId } = await addPlatformAuthenticator(context, page);
  const res = await page.goto(`${pageOrigin}/`);
  if (res?.status() !== 200) throw new Error(`the page answered ${res?.status()}`);
  return { page, cdp, authenticatorId };
}

/** Runs a page function, quoting the app's errors when it throws. */
async function inPage<T>(page: Page, fn: (globals: PageGlobals, arg: string[]) => Promise<T>, arg: string[]) {
  try {
    return await page.evaluate(
      ([source, args]) => {
        const run = new Function(`return (${source})`)() as (g: unknown, a: string[]) => Promise<T>;
        return run(window, args);
      },
      [fn.toString(), arg] as const,
    );
  } catch (err) {
    const errors = logLines.filter((l) => l.includes('"level":50')).slice(-3);
    throw new Error(`${(err as Error).message}\n${errors.join('\n')}`);
  }
}

declare const window: PageGlobals;

it('registers a passkey through navigator.credentials.create, then signs in without a username through navigator.credentials.get', async () => {
  const user = await aUser(app);
  const session = await signIn(app, user, 'chromium-register');
  const { page, cdp, authenticatorId } = await tabWithAuthenticator();

  const passkey = (await inPage(page, (g, [token, name]) => g.registerPasskey(token, name), [
    session.accessToken,
    'Chromium virtual authenticator',
  ])) as { id: string; name: string };
  expect(passkey).toMatchObject({ id: expect.any(String), name: 'Chromium virtual authenticator' });

  // The authenticator holds it as a discoverable credential for RP id localhost.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

  const signedIn = (await inPage(page, (g, [deviceId]) => g.signInWithPasskey(deviceId), [
    'chromium-device',
  ])) as {
    __typename: string;
    accessToken: string;
    user: { id: string };
    session: { deviceId: string };
  };
  expect(signedIn).toMatchObject({
    __typename: 'AuthPayload',
    user: { id: user.id },
    session: { deviceId: 'chromium-device' },
  });
  expect(signedIn.accessToken).toMatch(JWT_FORMAT);

  // Chromium's authenticator counts signatures: the service stored the counter of the sign-in.
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  const [{ counter }] = await app.orm.em
    .getConnection()
    .execute('select counter from passkeys where id = ?', [passkey.id]);
  expect(Number(counter)).toBe(after.credentials[0].signCount);
  expect(Number(counter)).toBeGreaterThan(0);

  const types = (await auditOf(app, user.id)).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['passkey.registered', 'passkey.used', 'login.succeeded']));
});
