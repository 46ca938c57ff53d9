import { UserStatus } from '../../src/identity/domain/enums';
import { User } from '../../src/identity/domain/user.entity';
import { aUser } from '../support/factories';
import { LoginDoc } from '../support/operations';
import { startTestApp, type TestApp } from '../support/test-app';

/** The bar: an unknown identifier and a known one with a wrong password, 200 samples each, medians within 10 %. */
const SAMPLES = 200;
const BOUND = 0.1;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

describe('sign-in failures take the same time whatever the reason', () => {
  let app: TestApp;
  beforeAll(async () => {
    // A production-like bcrypt cost, so hashing dominates as it does in service; no lockout in the way.
    app = await startTestApp({ env: { BCRYPT_COST: '10', LOCKOUT_THRESHOLD: '100000' } });
  });
  afterAll(() => app.close());

  it('has medians within 10 % for unknown user, wrong password, locked out, locked, suspended and deleted', async () => {
    const em = app.orm.em.fork();
    const wrong = await aUser(app);
    const lockedOut = await aUser(app);
    const locked = await aUser(app);
    const suspended = await aUser(app);
    const deleted = await aUser(app);
    await em.nativeUpdate(User, { id: lockedOut.id }, { lockedUntil: new Date(Date.now() + 86400_000) });
    await em.nativeUpdate(User, { id: locked.id }, { status: UserStatus.LOCKED });
    await em.nativeUpdate(User, { id: suspended.id }, { status: UserStatus.SUSPENDED });
    await em.nativeUpdate(User, { id: deleted.id }, { status: UserStatus.DELETED });

    const cases = {
      unknown: { identifier: 'nobody.at.all@example.com', password: 'some password here' },
      wrongPassword: { identifier: wrong.email, password: 'not the right one' },
      lockedOut: { identifier: lockedOut.email, password: lockedOut.password },
      locked: { identifier: locked.email, password: locked.password },
      suspended: { identifier: suspended.email, password: suspended.password },
      deleted: { identifier: deleted.email, password: deleted.password },
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    const bodies = new Set<string>();
    for (let i = 0; i < SAMPLES + 3; i++) {
      for (const [name, creds] of Object.entries(cases)) {
        const started = process.hrtime.bigint();
        const res = await app.gql(LoginDoc, { input: { ...creds, deviceId: 'timing' } });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (i >= 3) times[name].push(ms); // the first rounds warm up connections and JIT
        bodies.add(JSON.stringify(res.errors?.map((e) => [e.message, e.extensions])));
      }
    }
    expect(bodies.size).toBe(1);
    const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const reference = medians.wrongPassword;
    const ratios = Object.entries(medians).map(([name, value]) => ({
      name,
      medianMs: Number(value.toFixed(2)),
      off: Number((Math.abs(value - reference) / reference).toFixed(3)),
    }));
    expect(ratios.filter((r) => r.off >= BOUND)).toEqual([]);
  }, 300_000);
});
