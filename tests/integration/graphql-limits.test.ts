import { randomBytes } from 'node:crypto';
import { buildSchema, parse, validate } from 'graphql';
import { User } from '../../src/identity/domain/user.entity';
import { documentValidationRules } from '../../src/identity/graphql/limits';
import { startTestApp, type TestApp } from '../support/test-app';

type Body = { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
const send = async (app: TestApp, query: string) => (await (await app.post({ query })).json()) as Body;

describe('document limits', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('refuses more than 10 aliases, and no aliased mutation runs', async () => {
    const tag = randomBytes(4).toString('hex');
    const fields = Array.from(
      { length: 11 },
      (_, i) =>
        `r${i}: register(input: { username: "al_${tag}_${i}", email: "al.${tag}.${i}@example.com", password: "long enough pass ${i}" }) { id }`,
    );
    const body = await send(app, `mutation { ${fields.join('\n')} }`);
    expect(body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.data).toBeUndefined();
    expect(await app.orm.em.fork().count(User, { email: { $like: `al.${tag}%` } })).toBe(0);
  });

  it('refuses documents over the token cap at parse time', async () => {
    const body = await send(app, `{ ${'__typename '.repeat(2500)} }`);
    expect(body.errors?.[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('exempts introspection from the depth limit, so Sandbox and codegen keep working', async () => {
    const deep =
      '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }';
    expect((await send(app, deep)).errors).toBeUndefined();
  });
});

describe('document rules', () => {
  // Our schema is shallow today; a recursive schema proves the configured rules themselves.
  const schema = buildSchema('type Node { id: ID, child: Node } type Query { node: Node }');
  const errorsOf = (doc: string) =>
    validate(schema, parse(doc), documentValidationRules).map((e) => e.message);

  it('allows depth 8 and refuses depth 9', () => {
    const nest = (n: number) => `{ node ${'{ child '.repeat(n - 1)}{ id }${' }'.repeat(n - 1)} }`;
    expect(errorsOf(nest(7))).toEqual([]);
    expect(errorsOf(nest(9)).join()).toMatch(/depth/i);
  });

  it('counts depth through fragments', () => {
    const doc = `{ node { ...A } } fragment A on Node { child { child { child { ...B } } } }
      fragment B on Node { child { child { child { child { child { id } } } } } }`;
    expect(errorsOf(doc).join()).toMatch(/depth/i);
  });

  it('refuses more than 20 directives', () => {
    expect(errorsOf(`{ node { id ${'@include(if: true) '.repeat(21)} } }`).join()).toMatch(/directive/i);
  });
});

describe('production surface', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: {
        NODE_ENV: 'production',
        PUBLIC_WEB_URL: 'https://account.elcorp.example',
        BCRYPT_COST: '10',
        FIELD_ENCRYPTION_KEYS: `prod1:${randomBytes(32).toString('base64')}`,
        PASSWORD_PEPPER: randomBytes(32).toString('base64'),
      },
    });
  });
  afterAll(() => app.close());

  it('turns introspection and field suggestions off', async () => {
    const intro = await send(app, '{ __schema { queryType { name } } }');
    expect(intro.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await send(app, '{ mee { id } }');
    expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it('serves no landing page', async () => {
    const res = await fetch(`${app.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/<html/i);
  });
});
