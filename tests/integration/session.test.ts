import { aUser, signIn } from '../support/factories';
import { LogoutDoc, MeDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('me and logout', () => {
  it('requires an access token', async () => {
    const res = await app.gql(MeDoc);
    expect(res.status).toBe(200);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await app.gql(LogoutDoc)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('ends the current session only: its access token fails at once, another device keeps working', async () => {
    const user = await aUser(app);
    const phone = await signIn(app, user, 'phone');
    const laptop = await signIn(app, user, 'laptop');
    const out = await app.gql(LogoutDoc, undefined, bearer(phone.accessToken));
    expect(out.data?.logout).toBe(true);
    expect((await app.gql(MeDoc, undefined, bearer(phone.accessToken))).errors?.[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await app.gql(MeDoc, undefined, bearer(laptop.accessToken))).data?.me.id).toBe(user.id);
  });

  it('refuses an access token sent with another device id header', async () => {
    const user = await aUser(app);
    const login = await signIn(app, user, 'watch');
    const own = await app.gql(MeDoc, undefined, bearer(login.accessToken, 'watch'));
    expect(own.errors).toBeUndefined();
    expect(own.data?.me).toMatchObject({ id: user.id, email: user.email, status: 'ACTIVE' });
    const res = await app.gql(MeDoc, undefined, bearer(login.accessToken, 'not-the-watch'));
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
