import { parse } from 'graphql';
import { createStatementRunner } from '../../src/adapters/database/prepared-statements';
import { createLockoutCounter } from '../../src/identity/persistence/lockout-counter';
import { testClock } from '../support/clock';
import { loginOutcome } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import { LoginDoc, ReactivateUserDoc, SuspendUserDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const signInWith = (target: TestApp, user: { email: string }, password: string) =>
  loginOutcome(
    target.gql(LoginDoc, { input: { identifier: user.email, password, deviceId: 'settlement-device' } }),
  );

const lockoutColumns = async (target: TestApp, userId: string) => {
  const [row] = await target.orm.em
    .getConnection()
    .execute('select failed_login_attempts, locked_until, lock_count from users where id = ?', [userId]);
  return row as { failed_login_attempts: number; locked_until: Date | null; lock_count: number };
};

describe('a reserved lockout try is settled on every path', () => {
  it('gives the try back when the right password meets a suspended account', async () => {
    const { session } = await anAdmin(app);
    const user = await aUser(app);
    await app.gql(SuspendUserDoc, { id: user.id, reason: 'review' }, bearer(session.accessToken));
    for (let i = 0; i < 5; i++)
      expect(await signInWith(app, user, user.password)).toBe('INVALID_CREDENTIALS');
    expect(await lockoutColumns(app, user.id)).toMatchObject({
      failed_login_attempts: 0,
      locked_until: null,
    });
    await app.gql(ReactivateUserDoc, { id: user.id }, bearer(session.accessToken));
    expect(await signInWith(app, user, user.password)).toBe('AuthPayload');
  });

  it('gives the try back when the sign-in fails inside its transaction', async () => {
    const own = await startTestApp({ clock });
    try {
      const user = await aUser(own);
      const sql = (text: string) => own.orm.em.getConnection().execute(text);
      // Every new session row is refused: the sign-in's transaction fails after the password check.
      await sql('alter table sessions add constraint sessions_refuse_all check (false) not valid');
      for (let i = 0; i < 6; i++)
        expect(await signInWith(own, user, user.password)).toBe('INTERNAL_SERVER_ERROR');
      expect(await lockoutColumns(own, user.id)).toMatchObject({
        failed_login_attempts: 0,
        locked_until: null,
      });
      await sql('alter table sessions drop constraint sessions_refuse_all');
      expect(await signInWith(own, user, user.password)).toBe('AuthPayload');
    } finally {
      await own.close();
    }
  });

  it('locks with an end when the last try is never settled, and the lockout ends by itself', async () => {
    const user = await aUser(app);
    const counter = createLockoutCounter(
      { threshold: 5, baseSeconds: 900, maxSeconds: 86400 },
      createStatementRunner({ named: false }),
    );
    const em = app.orm.em.fork();
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await counter.reserveTryNow(em, user.id, clock.now()));
    // Reserved and never settled, as when the process dies during the comparison.
    expect(tries.slice(0, 4)).toEqual([{}, {}, {}, {}]);
    expect(tries[4]?.lockedUntil?.getTime()).toBe(clock.now().getTime() + 900_000);
    expect(await counter.reserveTryNow(em, user.id, clock.now())).toBeUndefined();
    expect(await signInWith(app, user, user.password)).toBe('INVALID_CREDENTIALS');

    clock.advance(900);
    expect(await signInWith(app, user, user.password)).toBe('AuthPayload');
    expect(await lockoutColumns(app, user.id)).toMatchObject({
      failed_login_attempts: 0,
      locked_until: null,
      lock_count: 0,
    });
  });

  it('lifts the lockout the last try started when its password was right', async () => {
    const user = await aUser(app);
    for (let i = 0; i < 4; i++)
      expect(await signInWith(app, user, 'not the password')).toBe('INVALID_CREDENTIALS');
    expect(await signInWith(app, user, user.password)).toBe('AuthPayload');
    expect(await lockoutColumns(app, user.id)).toMatchObject({
      failed_login_attempts: 0,
      locked_until: null,
      lock_count: 0,
    });
  });
});

describe('the users table refuses a lockout without an end', () => {
  it.each([["locked_until = 'infinity'"], ['failed_login_attempts = -1'], ['lock_count = -1']])(
    'refuses %s',
    async (assignment) => {
      const user = await aUser(app);
      await expect(
        app.orm.em.getConnection().execute(`update users set ${assignment} where id = ?`, [user.id]),
      ).rejects.toThrow(
        /violates check constraint "users_(lockout_has_an_end|failed_login_attempts_not_negative)"/,
      );
    },
  );
});

describe('a temporary lockout shows on the account', () => {
  const LockoutOfUser = parse('query LockoutOfUser($id: ID!) { user(id: $id) { status lockedUntil } }');
  const LockoutOfMe = parse('query LockoutOfMe { me { status lockedUntil } }');
  const Unlock = parse('mutation Unlock($id: ID!) { unlockUser(id: $id) { status lockedUntil } }');

  it('reads LOCKED with its end while in force, for the account and for admins, until it ends or is lifted', async () => {
    const { user: adminUser, session: admin } = await anAdmin(app);
    const user = await aUser(app);
    const own = await signIn(app, user, 'own-phone');
    for (let i = 0; i < 5; i++)
      expect(await signInWith(app, user, 'a wrong guess')).toBe('INVALID_CREDENTIALS');
    const end = new Date(clock.now().getTime() + 900_000).toISOString();
    const locked = { status: 'LOCKED', lockedUntil: end };
    expect((await app.gqlAny(LockoutOfMe, {}, bearer(own.accessToken))).data?.me).toEqual(locked);
    expect((await app.gqlAny(LockoutOfUser, { id: user.id }, bearer(admin.accessToken))).data?.user).toEqual(
      locked,
    );

    // Access tokens live 15 minutes, as long as this lockout: the admin signs in again.
    clock.advance(900);
    const again = await signIn(app, adminUser, 'admin-device-2');
    const active = { status: 'ACTIVE', lockedUntil: null };
    const afterEnd = await app.gqlAny(LockoutOfUser, { id: user.id }, bearer(again.accessToken));
    expect(afterEnd.errors).toBeUndefined();
    expect(afterEnd.data?.user).toEqual(active);

    for (let i = 0; i < 5; i++)
      expect(await signInWith(app, user, 'wrong once more')).toBe('INVALID_CREDENTIALS');
    expect(
      (await app.gqlAny(LockoutOfUser, { id: user.id }, bearer(again.accessToken))).data?.user,
    ).toMatchObject({
      status: 'LOCKED',
    });
    expect((await app.gqlAny(Unlock, { id: user.id }, bearer(again.accessToken))).data?.unlockUser).toEqual(
      active,
    );
    expect(await signInWith(app, user, user.password)).toBe('AuthPayload');
  });
});
