import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { buildSchema, GraphQLError, graphql, parse } from 'graphql';
import { User } from '../../src/identity/domain/user.entity';
import { createErrorFormatter } from '../../src/identity/graphql/format-error';
import { guardStringInputs } from '../../src/identity/graphql/input-guard';
import { createLogger, createRequestScope } from '../../src/kernel/logger';
import { errorCode } from '../support/errors';
import { anAdmin, aRegistration, aUser, signIn } from '../support/factories';
import {
  AuditLogDoc,
  ChangePasswordDoc,
  LockUserDoc,
  LoginDoc,
  RegisterDoc,
  RevokeSessionDoc,
  UpdateProfileDoc,
  UsersDoc,
} from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let admin: Awaited<ReturnType<typeof anAdmin>>;
beforeAll(async () => {
  app = await startTestApp();
  admin = await anAdmin(app);
});
afterAll(() => app.close());

const asAdmin = () => bearer(admin.session.accessToken);

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions: Record<string, unknown> & { code: string } }[];
}

/** The code and field of the first error, or 'OK' when there is none. */
const outcome = (res: Answer) => {
  const error = res.errors?.[0];
  return error ? `${error.extensions.code}:${error.extensions.field}` : 'OK';
};

const NUL = '\u0000';

describe('the input guard refuses NUL before it reaches PostgreSQL', () => {
  it('in the email at registration', async () => {
    const res = await app.gql(RegisterDoc, { input: aRegistration({ email: `ana${NUL}@example.com` }) });
    expect(outcome(res)).toBe('BAD_USER_INPUT:email');
  });

  it('in the login identifier, deviceId and deviceName', async () => {
    const user = await aUser(app);
    const login = (input: Record<string, unknown>) =>
      app.gqlAny(LoginDoc, {
        input: { identifier: user.email, password: user.password, deviceId: 'device-1', ...input },
      });
    expect(outcome(await login({ identifier: `${user.email}${NUL}` }))).toBe('BAD_USER_INPUT:identifier');
    expect(outcome(await login({ identifier: `${user.username}${NUL}` }))).toBe('BAD_USER_INPUT:identifier');
    expect(outcome(await login({ deviceId: `device${NUL}` }))).toBe('BAD_USER_INPUT:deviceId');
    expect(outcome(await login({ deviceName: `Pixel${NUL}8` }))).toBe('BAD_USER_INPUT:deviceName');
  });

  it('in users(filter: {search})', async () => {
    const res = await app.gql(UsersDoc, { filter: { search: `ana${NUL}` } }, asAdmin());
    expect(outcome(res)).toBe('BAD_USER_INPUT:search');
  });

  it('in auditLog(filter: {type})', async () => {
    const res = await app.gql(AuditLogDoc, { filter: { type: `login.failed${NUL}` } }, asAdmin());
    expect(outcome(res)).toBe('BAD_USER_INPUT:type');
  });

  it('in a value written into the document rather than passed as a variable', async () => {
    const res = await app.gqlAny(
      parse('query { users(filter: {search: "ana\\u0000"}) { totalItems } }'),
      undefined,
      asAdmin(),
    );
    expect(outcome(res)).toBe('BAD_USER_INPUT:search');
  });

  it('in plain arguments: an id and a reason', async () => {
    const target = await aUser(app);
    expect(outcome(await app.gql(LockUserDoc, { id: target.id, reason: `spam${NUL}` }, asAdmin()))).toBe(
      'BAD_USER_INPUT:reason',
    );
    expect(outcome(await app.gql(RevokeSessionDoc, { id: `x${NUL}` }, asAdmin()))).toBe('BAD_USER_INPUT:id');
  });
});

describe('the input guard refuses invisible and direction-changing characters', () => {
  const loginWith = async (deviceName: string) => {
    const user = await aUser(app);
    return app.gql(LoginDoc, {
      input: { identifier: user.email, password: user.password, deviceId: 'device-1', deviceName },
    });
  };

  it.each([
    ['a right-to-left override', 'Pixel \u202e8'],
    ['a left-to-right isolate', 'Pixel \u20668\u2069'],
    ['a right-to-left mark', 'Pixel\u200f 8'],
    ['an Arabic letter mark', 'Pixel\u061c 8'],
    ['a zero-width space', 'Pix\u200bel 8'],
    ['a zero-width joiner', 'Pix\u200del 8'],
    ['a word joiner', 'Pix\u2060el 8'],
    ['a byte order mark', '\ufeffPixel 8'],
    ['a C0 control', 'Pixel\u00078'],
    ['a DEL', 'Pixel\u007f8'],
    ['a C1 control', 'Pixel\u00858'],
    ['a tab', 'Pixel\t8'],
    ['a newline', 'Pixel\n8'],
    ['a carriage return', 'Pixel\r8'],
    ['a line separator', 'Pixel\u20288'],
    ['a lone surrogate', 'Pixel \ud8008'],
  ])('in the deviceName: %s', async (_what, deviceName) => {
    expect(outcome(await loginWith(deviceName))).toBe('BAD_USER_INPUT:deviceName');
  });

  it('accepts ordinary Unicode text, emoji included, in the deviceName', async () => {
    const res = await loginWith('Ndapandula’s Pixel 8 📱 — Windhoek');
    expect(outcome(res)).toBe('OK');
    expect(res.data?.login).toMatchObject({ session: { deviceName: 'Ndapandula’s Pixel 8 📱 — Windhoek' } });
  });

  it('in the email local part: a zero-width space', async () => {
    const res = await app.gql(RegisterDoc, { input: aRegistration({ email: 'ali\u200bce@example.com' }) });
    expect(outcome(res)).toBe('BAD_USER_INPUT:email');
  });
});

describe('passwords', () => {
  it('may hold any printable Unicode, emoji with a zero-width joiner and direction marks included', async () => {
    const password = 'violet 👩\u200d💻 kettle \u202edrum\u202c 42';
    const input = aRegistration({ password });
    const registered = await app.gql(RegisterDoc, { input });
    expect(outcome(registered)).toBe('OK');
    const login = await app.gql(LoginDoc, { input: { identifier: input.email, password, deviceId: 'd-1' } });
    expect(login.data?.login.__typename).toBe('AuthPayload');
    const wrong = await app.gql(LoginDoc, {
      input: { identifier: input.email, password: 'violet 👩💻 kettle drum 42', deviceId: 'd-1' },
    });
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
  });

  it('never hold NUL or another control character, at registration, sign-in or a change', async () => {
    const user = await aUser(app);
    const registered = await app.gql(RegisterDoc, {
      input: aRegistration({ password: `violet kettle drum${NUL}42` }),
    });
    expect(outcome(registered)).toBe('BAD_USER_INPUT:password');

    const login = await app.gql(LoginDoc, {
      input: { identifier: user.email, password: `${user.password}${NUL}`, deviceId: 'd-1' },
    });
    expect(outcome(login)).toBe('BAD_USER_INPUT:password');

    const { accessToken } = await signIn(app, user);
    const changeTo = (currentPassword: string, newPassword: string) =>
      app.gql(ChangePasswordDoc, { currentPassword, newPassword }, bearer(accessToken));
    expect(outcome(await changeTo(user.password, 'violet kettle\tdrum 42'))).toBe(
      'BAD_USER_INPUT:newPassword',
    );
    expect(outcome(await changeTo(user.password, 'violet kettle\u0085drum 42'))).toBe(
      'BAD_USER_INPUT:newPassword',
    );
    expect(outcome(await changeTo(`${user.password}\n`, 'violet kettle drum 42'))).toBe(
      'BAD_USER_INPUT:currentPassword',
    );
  });
});

describe('lookalike usernames', () => {
  let alice: Awaited<ReturnType<typeof aUser>>;
  beforeAll(async () => {
    alice = await aUser(app, { username: 'alice' });
  });

  it('answers CONFLICT on username at registration for aIice (capital i) when alice exists', async () => {
    const res = await app.gql(RegisterDoc, { input: aRegistration({ username: 'aIice' }) });
    expect(outcome(res)).toBe('CONFLICT:username');
    for (const lookalike of ['a1ice', 'ALICE']) {
      expect(outcome(await app.gql(RegisterDoc, { input: aRegistration({ username: lookalike }) }))).toBe(
        'CONFLICT:username',
      );
    }
  });

  it('answers CONFLICT on username at updateProfile for aIice, and lets alice respell her own name', async () => {
    // No account spelled aIice got in through registration (the test above).
    expect(await app.orm.em.fork().count(User, { username: 'aIice' })).toBe(0);
    const other = await aUser(app);
    const { accessToken } = await signIn(app, other);
    const res = await app.gql(UpdateProfileDoc, { input: { username: 'aIice' } }, bearer(accessToken));
    expect(outcome(res)).toBe('CONFLICT:username');

    const own = await signIn(app, alice, 'alice-device');
    const respelt = await app.gql(
      UpdateProfileDoc,
      { input: { username: 'Alice' } },
      bearer(own.accessToken),
    );
    expect(respelt.data?.updateProfile.username).toBe('Alice');
  });

  it('keeps names that merely look different apart', async () => {
    const res = await app.gql(RegisterDoc, { input: aRegistration({ username: 'alicia' }) });
    expect(outcome(res)).toBe('OK');
  });

  it('lets only one of two concurrent lookalike registrations through', async () => {
    for (const [a, b] of [
      ['b0b', 'bob'],
      ['rnallory', 'mallory'],
      ['c1ara', 'clara'],
    ]) {
      const answers = await Promise.all([
        app.gql(RegisterDoc, { input: aRegistration({ username: a }) }),
        app.gql(RegisterDoc, { input: aRegistration({ username: b }) }),
      ]);
      expect(answers.map(outcome).sort()).toEqual(['CONFLICT:username', 'OK']);
    }
  });

  it('is enforced by a unique index on the skeleton, reported as CONFLICT on username', async () => {
    const em = app.orm.em.fork();
    const lookalike = new User({
      username: 'aIice',
      email: 'other@example.com',
      passwordHash: 'h',
      now: new Date(),
    });
    const err = await em
      .persist(lookalike)
      .flush()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(UniqueConstraintViolationException);
    expect((err as { constraint?: string }).constraint).toBe('users_username_skeleton_unique');

    const format = createErrorFormatter({
      logger: createLogger({ level: 'silent', scope: createRequestScope(), destination: { write() {} } }),
      requestId: () => 'req-1',
    });
    const formatted = format(
      { message: 'x', path: ['register'] },
      new GraphQLError('x', { path: ['register'], originalError: err as Error }),
    );
    expect(formatted.extensions).toEqual({ code: 'CONFLICT', field: 'username' });
  });
});

describe('lookalike emails', () => {
  it('refuses a Cyrillic а spelling of an existing address', async () => {
    const ana = await aUser(app, { email: 'ana.shikongo@example.com' });
    expect(ana.email).toBe('ana.shikongo@example.com');
    const res = await app.gql(RegisterDoc, {
      input: aRegistration({ email: '\u0430na.shikongo@example.com' }),
    });
    expect(outcome(res)).toBe('BAD_USER_INPUT:email');
  });
});

describe('the guard walks every string of every argument', () => {
  const sdl = `
    input Inner { name: String, tags: [String], password: String }
    input Outer { note: String, inner: Inner, items: [Inner!], matrix: [[String]] }
    type Query { echo(input: Outer, word: String, password: String, newPassword: String): String }
  `;
  let calls = 0;
  const schema = guardStringInputs(buildSchema(sdl));
  const rootValue = {
    echo: () => {
      calls += 1;
      return 'ok';
    },
  };

  const run = async (variableValues: Record<string, unknown>) => {
    const res = await graphql({
      schema,
      rootValue,
      source:
        'query($input: Outer, $word: String, $password: String, $newPassword: String) { echo(input: $input, word: $word, password: $password, newPassword: $newPassword) }',
      variableValues,
    });
    const original = res.errors?.[0]?.originalError as { details?: { field?: string } } | undefined;
    return res.errors ? `refused:${original?.details?.field}` : String(res.data?.echo);
  };

  it.each([
    [{ word: 'a\u0000' }, 'refused:word'],
    [{ input: { note: 'a\u202e' } }, 'refused:note'],
    [{ input: { inner: { name: 'a\u200b' } } }, 'refused:name'],
    [{ input: { inner: { tags: ['fine', 'a\u0000'] } } }, 'refused:tags'],
    [{ input: { items: [{ name: 'fine' }, { tags: ['a\ufeff'] }] } }, 'refused:tags'],
    [{ input: { matrix: [['fine'], ['a\u2066b']] } }, 'refused:matrix'],
    [{ input: { inner: { password: 'a\u0000' } } }, 'refused:password'],
    [{ password: 'a\u0001' }, 'refused:password'],
    [{ newPassword: 'a\u009f' }, 'refused:newPassword'],
  ])('refuses %j before the resolver runs', async (variables, expected) => {
    const before = calls;
    expect(await run(variables)).toBe(expected);
    expect(calls).toBe(before);
  });

  it('lets clean values and format characters in passwords through', async () => {
    expect(
      await run({
        word: 'héllo wörld 🇳🇦',
        password: 'p\u200dw\u202e',
        newPassword: '👩\u200d💻',
        input: { inner: { password: '\u2066x\u2069', tags: ['a', null] }, items: [], matrix: [[null]] },
      }),
    ).toBe('ok');
  });
});
