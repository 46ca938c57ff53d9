import { ApolloServerErrorCode, ApolloServerValidationErrorCode } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { createErrorFormatter } from '../../src/identity/graphql/format-error';
import {
  DomainError,
  ErrorCode,
  RequestErrorCode,
  type ServedErrorCode,
  UnauthenticatedReason,
} from '../../src/kernel/errors';
import { createLogger, createRequestScope } from '../../src/kernel/logger';
import { testClock } from '../support/clock';
import { aRegistration, aUser, signIn } from '../support/factories';
import {
  LoginDoc,
  LogoutDoc,
  MeDoc,
  RefreshDoc,
  RegisterDoc,
  RevokeSessionDoc,
  UsersDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { decodeSegment, encodeSegment } from '../support/tokens';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  // Three sign-in attempts a minute per (address, identifier), so that RATE_LIMITED can be provoked.
  app = await startTestApp({ clock, env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
});
afterAll(() => app.close());

type Extensions = { code: string; reason?: string };

/** The extensions of the first error of a `me` request sent with these headers. */
async function meError(headers: Record<string, string>): Promise<Extensions | undefined> {
  const res = await app.gql(MeDoc, undefined, headers);
  return res.errors?.[0]?.extensions;
}

const unauthenticated = (reason: UnauthenticatedReason) => ({ code: 'UNAUTHENTICATED', reason });

/** The values of an enum of the running service's schema, by introspection. */
async function enumValues(name: string): Promise<string[]> {
  const res = await app.post({ query: `{ __type(name: "${name}") { kind enumValues { name } } }` });
  const body = (await res.json()) as {
    data: { __type: { kind: string; enumValues: { name: string }[] } | null };
  };
  expect(body.data.__type?.kind).toBe('ENUM');
  return (body.data.__type?.enumValues ?? []).map((v) => v.name).sort();
}

describe('UNAUTHENTICATED reasons', () => {
  it('TOKEN_EXPIRED for a genuine access token past its expiry (test clock)', async () => {
    const login = await signIn(app, await aUser(app), 'expiring');
    expect(await meError(bearer(login.accessToken))).toBeUndefined();
    clock.advance(15 * 60 + 1);
    expect(await meError(bearer(login.accessToken))).toEqual(
      unauthenticated(UnauthenticatedReason.TOKEN_EXPIRED),
    );
    // With the device header too: expiry is judged before the device.
    expect(await meError(bearer(login.accessToken, 'expiring'))).toEqual(
      unauthenticated(UnauthenticatedReason.TOKEN_EXPIRED),
    );
  });

  it('TOKEN_INVALID for garbage, a forged or altered token, a refresh token and no bearer token', async () => {
    const login = await signIn(app, await aUser(app), 'forged');
    expect(login.refreshToken).toEqual(expect.any(String));
    const [h, p, s] = login.accessToken.split('.');
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] ^= 1;
    const elevated = encodeSegment({ ...decodeSegment(p), role: 'ADMIN' });
    const invalid = [
      bearer('a.b.c'),
      bearer('garbage'),
      bearer(`${h}.${p}.${flipped.toString('base64url')}`),
      bearer(`${h}.${elevated}.${s}`),
      bearer(`${h}.${p}.`),
      bearer(String(login.refreshToken)),
      { authorization: 'Basic dXNlcjpwYXNz' },
      {},
    ];
    for (const headers of invalid) {
      expect(await meError(headers)).toEqual(unauthenticated(UnauthenticatedReason.TOKEN_INVALID));
    }
  });

  it('TOKEN_INVALID, not TOKEN_EXPIRED, for an expired token whose signature is wrong', async () => {
    const login = await signIn(app, await aUser(app), 'forged-and-old');
    clock.advance(15 * 60 + 1);
    expect(await meError(bearer(login.accessToken))).toEqual(
      unauthenticated(UnauthenticatedReason.TOKEN_EXPIRED),
    );
    const [h, p, s] = login.accessToken.split('.');
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] ^= 1;
    expect(await meError(bearer(`${h}.${p}.${flipped.toString('base64url')}`))).toEqual(
      unauthenticated(UnauthenticatedReason.TOKEN_INVALID),
    );
  });

  it('DEVICE_MISMATCH for a live token sent with another X-Device-Id', async () => {
    const login = await signIn(app, await aUser(app), 'phone');
    expect(await meError(bearer(login.accessToken, 'phone'))).toBeUndefined();
    expect(await meError(bearer(login.accessToken, 'laptop'))).toEqual(
      unauthenticated(UnauthenticatedReason.DEVICE_MISMATCH),
    );
  });

  it('SESSION_ENDED for the live token of a revoked or signed-out session', async () => {
    const user = await aUser(app);
    const phone = await signIn(app, user, 'phone');
    const laptop = await signIn(app, user, 'laptop');
    const revoked = await app.gql(RevokeSessionDoc, { id: laptop.session.id }, bearer(phone.accessToken));
    expect(revoked.data?.revokeSession).toBe(true);
    expect(await meError(bearer(laptop.accessToken))).toEqual(
      unauthenticated(UnauthenticatedReason.SESSION_ENDED),
    );
    await app.gql(LogoutDoc, undefined, bearer(phone.accessToken));
    expect(await meError(bearer(phone.accessToken, 'phone'))).toEqual(
      unauthenticated(UnauthenticatedReason.SESSION_ENDED),
    );
  });

  it('are exactly the values of the UnauthenticatedReason enum of the schema', async () => {
    expect(await enumValues('UnauthenticatedReason')).toEqual(Object.values(UnauthenticatedReason).sort());
  });
});

describe('the ErrorCode enum', () => {
  /** A formatter whose log lines are dropped. */
  const format = createErrorFormatter({
    logger: createLogger({ level: 'silent', scope: createRequestScope(), destination: { write() {} } }),
    requestId: () => 'req-1',
  });

  it('lists every code of the kernel catalogue and of the request errors, and no other', async () => {
    const served = [...Object.values(ErrorCode), ...Object.values(RequestErrorCode)].sort();
    expect(await enumValues('ErrorCode')).toEqual(served);
  });

  it('holds whatever code the error formatter gives, for any error Apollo or a resolver can raise', async () => {
    const enumCodes = new Set(await enumValues('ErrorCode'));
    const apolloCodes = [
      ...Object.values(ApolloServerErrorCode),
      ...Object.values(ApolloServerValidationErrorCode),
      'SOME_PLUGIN_CODE',
    ];
    const given = [
      ...apolloCodes.map(
        (code) =>
          format({ message: 'x', extensions: { code } }, new GraphQLError('x', { extensions: { code } }))
            .extensions?.code,
      ),
      ...Object.values(ErrorCode).map(
        (code) =>
          format(
            { message: 'x', path: ['me'] },
            new GraphQLError('x', { path: ['me'], originalError: new DomainError(code, 'x') }),
          ).extensions?.code,
      ),
      format(
        { message: 'x', path: ['me'] },
        new GraphQLError('x', { path: ['me'], originalError: new Error('x') }),
      ).extensions?.code,
    ];
    expect(given.filter((code) => !enumCodes.has(code as string))).toEqual([]);
  });

  it('has no code the server never answers: each one provoked from the running service', async () => {
    const post = async (body: unknown) => {
      const res = await app.post(body);
      return ((await res.json()) as { errors?: { extensions: Extensions }[] }).errors?.[0]?.extensions.code;
    };
    const first = (res: { errors?: { extensions: Extensions }[] }) => res.errors?.[0]?.extensions.code;
    const someone = await aUser(app);
    const session = await signIn(app, someone, 'catalogue');
    // Typed by the catalogue: a code added to kernel/errors.ts does not compile until it is provoked here.
    const provoke: Record<ServedErrorCode, () => Promise<string | undefined>> = {
      BAD_USER_INPUT: async () =>
        first(await app.gql(RegisterDoc, { input: aRegistration({ email: 'nope' }) })),
      UNAUTHENTICATED: async () => first(await app.gql(MeDoc)),
      INVALID_CREDENTIALS: async () =>
        first(
          await app.gql(LoginDoc, {
            input: { identifier: someone.email, password: 'not the password', deviceId: 'x' },
          }),
        ),
      FORBIDDEN: async () => first(await app.gql(UsersDoc, {}, bearer(session.accessToken))),
      NOT_FOUND: async () =>
        first(await app.gql(RevokeSessionDoc, { id: 'not-a-session' }, bearer(session.accessToken))),
      CONFLICT: async () =>
        first(await app.gql(RegisterDoc, { input: aRegistration({ email: someone.email }) })),
      RATE_LIMITED: async () => {
        const attempt = () =>
          app.gql(LoginDoc, {
            input: { identifier: 'nobody@example.com', password: 'wrong', deviceId: 'x' },
          });
        for (let i = 0; i < 3; i += 1) expect(first(await attempt())).toBe('INVALID_CREDENTIALS');
        return first(await attempt());
      },
      REFRESH_TOKEN_REUSED: async () => {
        const login = await signIn(app, someone, 'reused');
        const input = { refreshToken: login.refreshToken, deviceId: 'reused' };
        expect(first(await app.gql(RefreshDoc, { input }))).toBeUndefined();
        clock.advance(app.config.session.refreshGraceSeconds + 1);
        return first(await app.gql(RefreshDoc, { input }));
      },
      GRAPHQL_PARSE_FAILED: () => post({ query: '{ me {' }),
      GRAPHQL_VALIDATION_FAILED: () => post({ query: '{ nope }' }),
      BAD_REQUEST: async () => {
        // From Apollo (no query) and from the HTTP edge (a body over the limit) alike.
        const apollo = await post({});
        const http = await post({ query: '{ __typename }', variables: { pad: 'x'.repeat(110 * 1024) } });
        return apollo === http ? apollo : `${apollo} / ${http}`;
      },
      OPERATION_RESOLUTION_FAILURE: () => post({ query: 'query A { __typename } query B { __typename }' }),
      PERSISTED_QUERY_NOT_FOUND: () =>
        post({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
      // Last: it breaks the database under the service.
      INTERNAL_SERVER_ERROR: async () => {
        await app.orm.em.getConnection().execute('drop table users cascade');
        return first(await app.gql(RegisterDoc, { input: aRegistration() }));
      },
    };
    const answered: Record<string, string | undefined> = {};
    for (const [code, run] of Object.entries(provoke)) answered[code] = await run();
    expect(answered).toEqual(Object.fromEntries(Object.keys(provoke).map((code) => [code, code])));
    expect(Object.keys(provoke).sort()).toEqual(await enumValues('ErrorCode'));
  });
});

describe('refresh errors say why too', () => {
  // A service of its own: the tests above break this file's database on purpose.
  let own: TestApp;
  beforeAll(async () => {
    own = await startTestApp();
  });
  afterAll(() => own.close());
  const refreshError = async (refreshToken: string | null, deviceId: string) =>
    (await own.gql(RefreshDoc, { input: { refreshToken, deviceId } })).errors?.[0]?.extensions;

  it('TOKEN_INVALID for an unknown or missing token, DEVICE_MISMATCH for another device, SESSION_ENDED after sign-out', async () => {
    const user = await aUser(own);
    const login = await signIn(own, user, 'refresh-reasons');
    expect(await refreshError('not-a-refresh-token', 'refresh-reasons')).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_INVALID',
    });
    expect(await refreshError(null, 'refresh-reasons')).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_INVALID',
    });
    expect(await refreshError(login.refreshToken, 'another-device')).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'DEVICE_MISMATCH',
    });
    expect((await own.gql(LogoutDoc, undefined, bearer(login.accessToken))).data?.logout).toBe(true);
    expect(await refreshError(login.refreshToken, 'refresh-reasons')).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'SESSION_ENDED',
    });
  });
});
