import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import type { Step } from './load.js';
import { SEED_PASSWORD, seedEmail, seedUsername } from './seed.js';

const REGISTER = 'mutation R($input: RegisterInput!) { register(input: $input) { id } }';
const LOGIN =
  'mutation L($input: LoginInput!) { login(input: $input) { ... on AuthPayload { accessToken refreshToken } } }';
const REFRESH = 'mutation F($input: RefreshInput!) { refresh(input: $input) { accessToken refreshToken } }';
const ME = '{ me { id email } }';
const TYPENAME = '{ __typename }';

// Apollo's CSRF prevention rejects a POST without a JSON content type.
const JSON_HEADERS = { 'content-type': 'application/json' };
const graphqlRequest = (extra: Partial<autocannon.Request> = {}): autocannon.Request => ({
  method: 'POST',
  path: '/graphql',
  headers: JSON_HEADERS,
  ...extra,
});
const graphqlBody = (query: string, variables?: object) => JSON.stringify({ query, variables });
const noErrors = (body: string) => !body.includes('"errors"');

export interface BenchSession {
  accessToken: string;
  refreshToken: string;
  deviceId: string;
}

/** The ceiling: a query that touches neither the database nor any resolver of ours. */
export const typenameSteps = (): Step[] => [
  {
    kind: 'typename',
    request: graphqlRequest({ body: graphqlBody(TYPENAME) }),
    ok: (_status, body) => body.includes('"__typename":"Query"') && noErrors(body),
  },
];

/** The bare ceiling's query (bench/bare-apollo.ts). */
export const helloSteps = (): Step[] => [
  {
    kind: 'bare',
    request: graphqlRequest({ body: graphqlBody('{ hello }') }),
    ok: (_status, body) => body.includes('"hello":"world"') && noErrors(body),
  },
];

/** `me` with each token in turn; the bodies are fixed, so autocannon builds them once. */
export const meSteps = (sessions: BenchSession[]): Step[] =>
  sessions.map((s) => ({
    kind: 'me',
    request: graphqlRequest({
      headers: { ...JSON_HEADERS, authorization: `Bearer ${s.accessToken}` },
      body: graphqlBody(ME),
    }),
    ok: (_status, body) => body.includes('"me":{"id"') && noErrors(body),
  }));

export const healthzStep: Step = {
  kind: 'healthz',
  request: { method: 'GET', path: '/healthz' },
  ok: (_status, body) => body.includes('"ok"'),
};

/**
 * A new account per request: usernames and emails from a counter, unique within the run.
 * Passwords alternate between a passphrase and a password manager's random 20 characters:
 * the strength check costs very different amounts for the two.
 */
export function registerSteps(tag: string): Step[] {
  let n = 0;
  return [
    {
      kind: 'register',
      request: graphqlRequest({
        setupRequest(req) {
          n++;
          const input = {
            username: `r${tag}_${n}`,
            email: `r${tag}_${n}@bench.example`,
            password: n % 2 ? `bench register passphrase ${n}` : randomBytes(15).toString('base64'),
          };
          return { ...req, body: graphqlBody(REGISTER, { input }) };
        },
      }),
      ok: (_status, body) => body.includes('"register":{"id"') && noErrors(body),
    },
  ];
}

/**
 * Sign-ins of random seeded users, each on a new device (a repeated user and device would
 * only replace that device's session). Identifiers alternate between username and email
 * so both lookups are measured.
 */
export function loginSteps(users: number, tag: string): Step[] {
  let n = 0;
  return [
    {
      kind: 'login',
      request: graphqlRequest({
        setupRequest(req) {
          n++;
          const i = 1 + Math.floor(Math.random() * users);
          const input = {
            identifier: n % 2 ? seedUsername(i) : seedEmail(i),
            password: SEED_PASSWORD,
            deviceId: `bench-${tag}-${n}`,
          };
          return { ...req, body: graphqlBody(LOGIN, { input }) };
        },
      }),
      ok: (_status, body) => body.includes('"accessToken"') && noErrors(body),
    },
  ];
}

/**
 * Refresh-token rotation, one session per connection, each request presenting the token that
 * the previous reply for that session returned. autocannon resets a connection's `context`
 * whenever it wraps around its request list — with one request, before every request — so
 * the token cannot live there. Sessions wait on a stack instead: the reply's onResponse pushes
 * its session back, and the same connection synchronously sets up its next request and pops
 * it again, so each connection keeps rotating its own session.
 */
export function refreshSteps(sessions: BenchSession[], kind = 'refresh'): Step[] {
  const idle = [...sessions];
  return [
    {
      kind,
      request: graphqlRequest({
        setupRequest(req, context) {
          // Empty only after a timeout lost a session: send a dud that counts as an error.
          const session = idle.pop() ?? { accessToken: '', refreshToken: 'lost', deviceId: 'lost' };
          context.session = session;
          const input = { refreshToken: session.refreshToken, deviceId: session.deviceId };
          return { ...req, body: graphqlBody(REFRESH, { input }) };
        },
      }),
      ok(_status, body, context) {
        const session = context.session as BenchSession;
        idle.push(session);
        const issued = JSON.parse(body)?.data?.refresh;
        if (!issued?.refreshToken || !noErrors(body)) return false;
        session.refreshToken = issued.refreshToken;
        session.accessToken = issued.accessToken;
        return true;
      },
    },
  ];
}

/** Signs seeded users in over plain HTTP, a few at a time (each costs one bcrypt comparison). */
export async function openSessions(url: string, users: number[], tag: string): Promise<BenchSession[]> {
  const sessions: BenchSession[] = [];
  for (let start = 0; start < users.length; start += 4) {
    const batch = users.slice(start, start + 4).map(async (i) => {
      const deviceId = `bench-${tag}-${i}`;
      const input = { identifier: seedUsername(i), password: SEED_PASSWORD, deviceId };
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: graphqlBody(LOGIN, { input }),
      });
      const text = await res.text();
      const payload = JSON.parse(text)?.data?.login;
      if (!res.ok || !payload?.accessToken) throw new Error(`login of ${seedUsername(i)} failed: ${text}`);
      return { accessToken: payload.accessToken, refreshToken: payload.refreshToken, deviceId };
    });
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}
