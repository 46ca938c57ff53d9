import { testClock } from '../support/clock';
import { loginOutcome } from '../support/errors';
import { anAdmin, aUser, signIn } from '../support/factories';
import { LoginDoc, UnlockUserDoc } from '../support/operations';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { JWT_FORMAT, jwtHeader } from '../support/tokens';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock, env: { TRUSTED_PROXIES: 'loopback' } });
});
afterAll(() => app.close());

type Creds = { email: string; password: string };
const attempt = (
  user: Creds,
  password: string,
  opts: { deviceId?: string; trust?: string | null; ip?: string } = {},
) =>
  app.gql(
    LoginDoc,
    {
      input: {
        identifier: user.email,
        password,
        deviceId: opts.deviceId ?? 'attacker-box',
        deviceTrustToken: opts.trust,
      },
    },
    opts.ip ? { 'x-forwarded-for': opts.ip } : {},
  );
const failTimes = async (user: Creds, n: number, ip?: string) => {
  for (let i = 0; i < n; i++)
    expect(await loginOutcome(attempt(user, 'wrong password here', { ip }))).toBe('INVALID_CREDENTIALS');
};

describe('lockout', () => {
  it('locks after five consecutive failures for 15 minutes, then lets the right password in', async () => {
    const user = await aUser(app);
    await failTimes(user, 5);
    expect(await loginOutcome(attempt(user, user.password))).toBe('INVALID_CREDENTIALS');
    clock.advance(15 * 60 - 1);
    expect(await loginOutcome(attempt(user, user.password))).toBe('INVALID_CREDENTIALS');
    clock.advance(1);
    expect(await loginOutcome(attempt(user, user.password))).toBe('AuthPayload');
  });

  it('resets the count on success: four failures, a success, four more do not lock', async () => {
    const user = await aUser(app);
    await failTimes(user, 4);
    expect(await loginOutcome(attempt(user, user.password))).toBe('AuthPayload');
    await failTimes(user, 4);
    expect(await loginOutcome(attempt(user, user.password))).toBe('AuthPayload');
  });

  it('doubles the lockout on each repeat and never extends it with failures during the lock', async () => {
    const user = await aUser(app);
    await failTimes(user, 5);
    clock.advance(15 * 60);
    await failTimes(user, 5); // second lockout: 30 minutes
    clock.advance(29 * 60);
    await failTimes(user, 10); // during the lock: no effect
    expect(await loginOutcome(attempt(user, user.password))).toBe('INVALID_CREDENTIALS');
    clock.advance(60);
    expect(await loginOutcome(attempt(user, user.password))).toBe('AuthPayload');
  });

  it('runs at most five password comparisons for twenty parallel wrong passwords', async () => {
    const user = await aUser(app);
    const verify = jest.spyOn(app.service.hasher, 'verify');
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => loginOutcome(attempt(user, 'parallel wrong guess'))),
      );
      expect(results.every((r) => r === 'INVALID_CREDENTIALS')).toBe(true);
      expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
      expect(verify.mock.calls.length).toBeGreaterThanOrEqual(1);
    } finally {
      verify.mockRestore();
    }
    expect(await loginOutcome(attempt(user, user.password))).toBe('INVALID_CREDENTIALS');
  });

  it('is lifted by an admin unlock', async () => {
    const admin = await anAdmin(app);
    const user = await aUser(app);
    await failTimes(user, 5);
    const res = await app.gql(UnlockUserDoc, { id: user.id }, bearer(admin.session.accessToken));
    expect(res.data?.unlockUser.status).toBe('ACTIVE');
    expect(await loginOutcome(attempt(user, user.password))).toBe('AuthPayload');
  });
});

describe('device trust', () => {
  it('lets the owner’s known device sign in after 50 failures from other IPs', async () => {
    const user = await aUser(app);
    const first = await signIn(app, user, 'owner-phone');
    expect(first.deviceTrustToken).toEqual(expect.any(String));
    for (let i = 0; i < 50; i++) {
      expect(await loginOutcome(attempt(user, `guess number ${i}`, { ip: `203.0.113.${i + 1}` }))).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    expect(await loginOutcome(attempt(user, user.password, { deviceId: 'new-laptop' }))).toBe(
      'INVALID_CREDENTIALS',
    );
    const owner = await attempt(user, user.password, {
      deviceId: 'owner-phone',
      trust: first.deviceTrustToken,
    });
    expect(owner.data?.login.__typename).toBe('AuthPayload');
  });

  it('gives a trusted device its own stricter budget, after which the trust is withdrawn', async () => {
    const user = await aUser(app);
    const { deviceTrustToken } = await signIn(app, user, 'tablet');
    await failTimes(user, 5); // account locked from elsewhere
    for (let i = 0; i < 3; i++) {
      expect(
        await loginOutcome(
          attempt(user, 'fat fingers again', { deviceId: 'tablet', trust: deviceTrustToken }),
        ),
      ).toBe('INVALID_CREDENTIALS');
    }
    expect(
      await loginOutcome(attempt(user, user.password, { deviceId: 'tablet', trust: deviceTrustToken })),
    ).toBe('INVALID_CREDENTIALS');
  });

  it('accepts a trust token only for its own user and device, and only the latest one', async () => {
    const user = await aUser(app);
    const other = await aUser(app);
    const first = await signIn(app, user, 'watch');
    const second = await attempt(user, user.password, { deviceId: 'watch', trust: first.deviceTrustToken });
    expect(second.errors).toBeUndefined();
    expect(second.data?.login.__typename).toBe('AuthPayload');
    const rotated =
      second.data?.login.__typename === 'AuthPayload' ? second.data.login.deviceTrustToken : undefined;
    expect(rotated).toMatch(JWT_FORMAT);
    expect(jwtHeader(rotated as string).typ).toBe('device-trust+jwt');
    expect(rotated).not.toBe(first.deviceTrustToken);
    await failTimes(user, 5);
    expect(
      await loginOutcome(attempt(user, user.password, { deviceId: 'watch', trust: first.deviceTrustToken })),
    ).toBe('INVALID_CREDENTIALS');
    expect(
      await loginOutcome(attempt(user, user.password, { deviceId: 'other-device', trust: rotated })),
    ).toBe('INVALID_CREDENTIALS');
    await failTimes(other, 5);
    expect(await loginOutcome(attempt(other, other.password, { deviceId: 'watch', trust: rotated }))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(await loginOutcome(attempt(user, user.password, { deviceId: 'watch', trust: rotated }))).toBe(
      'AuthPayload',
    );
  });
});
