import { User } from '../../src/identity/domain/user.entity';
import { aRegistration, aUser } from '../support/factories';
import { RegisterDoc } from '../support/operations';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('register', () => {
  it('creates an active USER with a normalised email and returns no secret', async () => {
    const input = aRegistration({ email: '  Mixed.Case@Example.COM ' });
    const res = await app.gql(RegisterDoc, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data?.register).toMatchObject({
      username: input.username,
      email: 'mixed.case@example.com',
      role: 'USER',
      status: 'ACTIVE',
      mfaEnabled: false,
      mfaMethods: [],
      phone: null,
      wallet: null,
      lastLoginAt: null,
    });
    expect(res.raw).not.toContain('$2b$');
    expect(res.raw).not.toContain(input.password);
    const row = await app.orm.em
      .fork()
      .findOneOrFail(User, { email: 'mixed.case@example.com' }, { populate: ['passwordHash'] });
    expect(row.passwordHash).toMatch(/^\$2b\$04\$/);
  });

  it('stores a Namibian phone in E.164 and a checksummed Ethereum wallet', async () => {
    const res = await app.gql(RegisterDoc, {
      input: aRegistration({
        phone: '081 234 5678',
        walletAddress: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
        walletBlockchain: 'ETHEREUM',
      }),
    });
    expect(res.data?.register.phone).toBe('+264812345678');
    expect(res.data?.register.wallet).toEqual({
      address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      blockchain: 'ETHEREUM',
    });
  });

  it('keeps the phone encrypted at rest, with no spurious writes when nothing changed', async () => {
    const user = await aUser(app, { phone: '0812345678' });
    const [row] = await app.orm.em.getConnection().execute('select phone from users where id = ?', [user.id]);
    expect(row.phone).toMatch(/^v1:k1:/);
    expect(row.phone).not.toContain('812345678');
    const em = app.orm.em.fork();
    const loaded = await em.findOneOrFail(User, user.id);
    expect(loaded.phone).toBe('+264812345678');
    em.getUnitOfWork().computeChangeSets();
    expect(em.getUnitOfWork().getChangeSets()).toHaveLength(0);
  });

  it.each([
    ['username', { username: 'ab' }],
    ['username', { username: 'has space' }],
    ['email', { email: 'not-an-email' }],
    ['password', { password: 'short' }],
    ['phone', { phone: '+27 82 123 4567' }],
    ['walletBlockchain', { walletAddress: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' }],
    [
      'walletAddress',
      { walletAddress: '0x5AAeb6053f3e94c9b9a09f33669435e7ef1beaed', walletBlockchain: 'ETHEREUM' as const },
    ],
  ])('refuses a bad %s with BAD_USER_INPUT naming the field', async (field, overrides) => {
    const res = await app.gql(RegisterDoc, { input: aRegistration(overrides) });
    expect(res.data).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0].message).not.toMatch(/internal/i);
  });

  it('answers CONFLICT for a taken email, a username differing only in case, and a taken wallet', async () => {
    const wallet = {
      walletAddress: 'So11111111111111111111111111111111111111112',
      walletBlockchain: 'SOLANA' as const,
    };
    const first = await aUser(app, wallet);
    const byEmail = await app.gql(RegisterDoc, {
      input: aRegistration({ email: first.email.toUpperCase() }),
    });
    expect(byEmail.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    const byName = await app.gql(RegisterDoc, {
      input: aRegistration({ username: first.username.toUpperCase() }),
    });
    expect(byName.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'username' });
    const byWallet = await app.gql(RegisterDoc, { input: aRegistration(wallet) });
    expect(byWallet.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'walletAddress' });
  });

  it('turns a race on the unique index into CONFLICT without leaking SQL or the hash', async () => {
    const input = aRegistration();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        app.gql(RegisterDoc, { input: { ...input, username: `${input.username}${i}` } }),
      ),
    );
    const ok = results.filter((r) => r.data?.register);
    const conflicts = results.filter((r) => r.errors?.[0].extensions.code === 'CONFLICT');
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(4);
    for (const r of conflicts) {
      expect(r.errors?.[0].extensions.field).toBe('email');
      expect(r.raw).not.toMatch(/insert into|\$2b\$|users_email_unique/i);
    }
  });

  it('hashes one password differently for two users', async () => {
    const password = 'the same long passphrase';
    const a = await aUser(app, { password });
    const b = await aUser(app, { password });
    const em = app.orm.em.fork();
    const [ua, ub] = await Promise.all([
      em.findOneOrFail(User, a.id, { populate: ['passwordHash'] }),
      em.findOneOrFail(User, b.id, { populate: ['passwordHash'] }),
    ]);
    expect(ua.passwordHash).not.toBe(ub.passwordHash);
  });
});
