import { type GraphQLFormattedError, print } from 'graphql';
import type { ConsoleAuthFieldsFragment, ConsoleRefreshMutation } from '../gql/graphql';
import { RefreshDoc } from './operations';

/**
 * The signed-in state of this tab. The access token lives in this module only (never in Web
 * Storage or a readable cookie); the refresh and device-trust tokens are HttpOnly cookies that
 * page script cannot read, set by the service because every request says
 * `X-Token-Transport: cookie`.
 */

/** The API, on the origin that served the console (in development the Vite server proxies it). */
export const GRAPHQL_URL = '/graphql';

const DEVICE_KEY = 'elcorp.deviceId';

/**
 * This browser's device id: random, made once and kept in localStorage. It is not a secret: the
 * service binds the tokens to it, so it names the device in the session list and keeps a token
 * from being used by another device, and it lets the service recognise this device at the next
 * sign-in.
 */
export const deviceId: string = (() => {
  try {
    const known = localStorage.getItem(DEVICE_KEY);
    if (known) return known;
    const made = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, made);
    return made;
  } catch {
    // Storage refused (a private mode): one id for this page's life.
    return crypto.randomUUID();
  }
})();

export type AuthState = { status: 'restoring' } | { status: 'signedOut' } | { status: 'signedIn' };

let state: AuthState = { status: 'restoring' };
let accessToken: string | undefined;
/** When to refresh ahead of expiry, on this page's monotonic clock (performance.now()). */
let refreshDueAt = 0;
/** The refresh in flight: every operation that needs one awaits this same promise. */
let refreshing: Promise<RefreshOutcome> | undefined;
const listeners = new Set<() => void>();

export const authState = () => state;
export function onAuthChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function setState(next: AuthState) {
  if (next.status === state.status) return;
  state = next;
  for (const listener of listeners) listener();
}

/** The headers of every request: the device, the cookie transport and the bearer token. */
export function authHeaders(): Record<string, string> {
  return {
    'x-device-id': deviceId,
    'x-token-transport': 'cookie',
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  };
}

/** Takes the session a sign-in, sign-up, MFA answer or refresh returned. */
export function signedIn(payload: Pick<ConsoleAuthFieldsFragment, 'accessToken' | 'accessTokenExpiresIn'>) {
  accessToken = payload.accessToken;
  // A minute early (or at half the lifetime for short ones), counted from now by the service's
  // figure, so the device's clock never matters.
  const lead = Math.min(60, payload.accessTokenExpiresIn / 2);
  refreshDueAt = performance.now() + (payload.accessTokenExpiresIn - lead) * 1000;
  setState({ status: 'signedIn' });
}

/** Forgets the access token (the service cleared the cookies, or the session is over). */
export function signedOut() {
  accessToken = undefined;
  refreshDueAt = 0;
  setState({ status: 'signedOut' });
}

/** The access token requests are sent with now (to tell whether a refresh has replaced one). */
export const currentAccessToken = () => accessToken;

/** Whether the access token is due for a refresh before it is used. */
export const refreshDue = () => accessToken !== undefined && performance.now() >= refreshDueAt;

/**
 * What a refresh came to: a new access token; the end of the session (the tab is then signed
 * out); or a failure that leaves the session as it was, because the refresh cookie may still be
 * good: the service refused for now (`errors`, e.g. RATE_LIMITED once the session's refresh
 * budget is spent, or INTERNAL_SERVER_ERROR) or could not be reached (no `errors`).
 */
export type RefreshOutcome =
  | { status: 'refreshed' }
  | { status: 'ended' }
  | { status: 'failed'; errors?: readonly GraphQLFormattedError[] };

/** The answers to a refresh that end the session: the cookie is missing, invalid, ended or reused. */
const SESSION_ENDING = new Set(['UNAUTHENTICATED', 'REFRESH_TOKEN_REUSED']);

/**
 * Refreshes the session from the refresh-token cookie. Concurrent callers share one request: the
 * service rotates the refresh token at every refresh, so a second parallel refresh would present
 * a token already rotated away.
 */
export function refreshSession(): Promise<RefreshOutcome> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

async function doRefresh(): Promise<RefreshOutcome> {
  let body: { data?: ConsoleRefreshMutation | null; errors?: GraphQLFormattedError[] };
  try {
    const res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-device-id': deviceId, 'x-token-transport': 'cookie' },
      body: JSON.stringify({
        operationName: 'ConsoleRefresh',
        query: print(RefreshDoc),
        variables: { input: { deviceId } },
      }),
    });
    body = await res.json();
  } catch {
    // Offline or the service is down: keep the state; the next request tries again.
    return failed(undefined);
  }
  const payload = body.data?.refresh;
  if (payload) {
    signedIn(payload);
    return { status: 'refreshed' };
  }
  const errors = body.errors ?? [];
  if (errors.some((e) => SESSION_ENDING.has(String(e.extensions?.code)))) {
    signedOut();
    return { status: 'ended' };
  }
  // Refused for now (the refresh budget, the service failing): the cookie may still be good, so
  // a signed-in tab stays signed in and keeps what it shows; the operation reports the error.
  return failed(errors.length > 0 ? errors : undefined);
}

function failed(errors: readonly GraphQLFormattedError[] | undefined): RefreshOutcome {
  // Restoring at page load, the page cannot wait on a session it could not restore: it offers
  // to sign in (the cookie, if still good, is used again at the next load).
  if (state.status === 'restoring') setState({ status: 'signedOut' });
  return { status: 'failed', errors };
}
