import { startTestApp, type TestApp } from '../support/test-app';

type ErrorBody = { errors: { extensions: { code: string } }[] };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('HTTP surface', () => {
  it('answers /healthz and /readyz with 200 while the database is up and migrated', async () => {
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers /readyz with 503 while a migration this code knows is not applied', async () => {
    const own = await startTestApp();
    try {
      const sql = own.orm.em.getConnection();
      const [last]: { name: string }[] = await sql.execute(
        'select name from mikro_orm_migrations order by name desc limit 1',
      );
      await sql.execute('delete from mikro_orm_migrations where name = ?', [last.name]);
      const pending = await fetch(`${own.baseUrl}/readyz`);
      expect(pending.status).toBe(503);
      expect(await pending.json()).toEqual({ status: 'migrations pending', pending: 1 });
      await sql.execute('insert into mikro_orm_migrations (name, executed_at) values (?, now())', [
        last.name,
      ]);
      expect((await fetch(`${own.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('returns a request id header on every response', async () => {
    const res = await fetch(`${app.baseUrl}/healthz`);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers GraphQL alike at /graphql and at the paths Express also routes there (/graphql/, /GraphQL)', async () => {
    for (const path of ['/graphql', '/graphql/', '/GraphQL']) {
      const post = await fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect([path, post.status, await post.json()]).toEqual([path, 200, { data: { __typename: 'Query' } }]);
      expect(post.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(post.headers.get('content-type')).toMatch(/^application\/json/);
      const query = `?query=${encodeURIComponent('{ __typename }')}`;
      const get = await fetch(`${app.baseUrl}${path}${query}`, {
        headers: { 'apollo-require-preflight': '1' },
      });
      expect([path, get.status, await get.json()]).toEqual([path, 200, { data: { __typename: 'Query' } }]);
      const large = await fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(110 * 1024) } }),
      });
      expect([path, large.status]).toEqual([path, 413]);
    }
  });

  it('refuses a body over 100 KB with 413', async () => {
    const res = await app.post({ query: `{ __typename }`, variables: { pad: 'x'.repeat(110 * 1024) } });
    expect(res.status).toBe(413);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses batched operations in one body', async () => {
    const res = await app.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBe(400);
  });

  it('keeps CSRF prevention on: a simple GET without a preflight header is refused', async () => {
    const res = await fetch(`${app.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('refuses a POST whose body is not JSON (a simple request a page could send cross-site) before any operation runs', async () => {
    // With the preflight header, as a non-browser client may send it, the body is left unread
    // and Apollo finds none.
    for (const preflight of [{}, { 'apollo-require-preflight': '1' }])
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const res = await fetch(`${app.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': type, ...preflight },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        expect([type, preflight, res.status]).toEqual([type, preflight, 400]);
        expect(await res.text()).not.toMatch(/__typename|Query|stack|req\.body/);
      }
  });

  it('passes GraphQL parse and validation errors with Apollo codes', async () => {
    const parse = await app.post({ query: '{ me {' });
    expect(((await parse.json()) as ErrorBody).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await app.post({ query: '{ nope }' });
    expect(((await invalid.json()) as ErrorBody).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('does not echo a submitted password in a variable coercion error', async () => {
    const res = await app.post({
      query: 'mutation($i: RegisterInput!) { register(input: $i) { id } }',
      variables: { i: { email: 'a@example.com', password: 'SuperSecretValue123!' } },
    });
    const text = await res.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).toContain('"field":"username"');
    expect(text).not.toContain('SuperSecretValue123!');
  });
});
