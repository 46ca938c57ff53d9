import { aRegistration, aUser, signIn } from '../support/factories';
import { MeDoc, RegisterDoc } from '../support/operations';
import { bearer, startTestApp } from '../support/test-app';

describe('unexpected errors', () => {
  it('are masked as INTERNAL_SERVER_ERROR with the request id, logged without SQL or secrets', async () => {
    const logLines: string[] = [];
    const app = await startTestApp({ logLines });
    // Drop the table under the service so the next statement fails inside PostgreSQL.
    await app.orm.em.getConnection().execute('drop table users cascade');
    const input = aRegistration();
    const res = await app.gql(RegisterDoc, { input });
    await app.close();

    expect(res.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: res.headers.get('x-request-id') },
    });
    expect(Object.keys(res.errors?.[0].extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    expect(res.raw).not.toMatch(/select|insert|relation|stack|\.ts:/i);
    const logged = logLines.join('\n');
    expect(logged).toContain('unexpected error');
    expect(logged).toContain(res.headers.get('x-request-id'));
    expect(logged).not.toMatch(/select |insert into/i);
    expect(logged).not.toContain(input.password);
    expect(logged).not.toContain(input.email);
  });

  it('report a database failure during authentication as INTERNAL_SERVER_ERROR, not as a signed-out session', async () => {
    const app = await startTestApp();
    const login = await signIn(app, await aUser(app));
    await app.orm.em.getConnection().execute('drop table sessions cascade');
    const res = await app.gql(MeDoc, undefined, bearer(login.accessToken));
    await app.close();
    expect(res.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
