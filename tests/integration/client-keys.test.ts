import { errorCode, loginOutcome } from '../support/errors';
import { aRegistration, aUser } from '../support/factories';
import { LoginDoc, RegisterDoc } from '../support/operations';
import { startTestApp, type TestApp } from '../support/test-app';

/** Behind a trusted proxy on loopback, so that X-Forwarded-For names the client. */
const behindProxy = (overrides: Record<string, string> = {}) => ({
  TRUSTED_PROXIES: 'loopback',
  RATE_LIMIT_STORE: 'memory',
  RATE_LIMIT_REGISTER_PER_HOUR: '3',
  RATE_LIMIT_LOGIN_PER_MINUTE: '5',
  RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '100',
  ...overrides,
});

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('rate-limit keys of client addresses', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  const register = async (address: string) => {
    const res = await app.gql(RegisterDoc, { input: aRegistration() }, from(address));
    return res.data?.register ? 'OK' : errorCode(res);
  };
  const login = (user: { email: string; password: string }, address: string, password = user.password) =>
    loginOutcome(
      app.gql(LoginDoc, { input: { identifier: user.email, password, deviceId: 'd' } }, from(address)),
    );

  it('gives every address of one IPv6 /64 one registration budget, and another /64 its own', async () => {
    app = await startTestApp({ env: behindProxy() });
    const codes = [];
    for (const address of [
      '2001:db8:1:2::a',
      '2001:db8:1:2::b',
      '2001:0DB8:0001:0002:0000:0000:0000:000C',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
    ]) {
      codes.push(await register(address));
    }
    expect(codes).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
    expect(await register('2001:db8:1:3::a')).toBe('OK');
    expect(await register('2001:db8:1:3::a')).toBe('OK');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    app = await startTestApp({ env: behindProxy() });
    const codes = [];
    for (const address of ['::ffff:203.0.113.9', '203.0.113.9', '::ffff:cb00:7109', '203.0.113.9']) {
      codes.push(await register(address));
    }
    expect(codes).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
    expect(await register('203.0.113.10')).toBe('OK');
  });

  it('takes the prefix length from RATE_LIMIT_IPV6_PREFIX', async () => {
    app = await startTestApp({
      env: behindProxy({ RATE_LIMIT_IPV6_PREFIX: '48', RATE_LIMIT_REGISTER_PER_HOUR: '1' }),
    });
    expect(await register('2001:db8:1:2::a')).toBe('OK');
    // Another /64, the same /48.
    expect(await register('2001:db8:1:3::a')).toBe('RATE_LIMITED');
    expect(await register('2001:db8:2::a')).toBe('OK');
  });

  it('keys each address whole with RATE_LIMIT_IPV6_PREFIX=128', async () => {
    app = await startTestApp({
      env: behindProxy({ RATE_LIMIT_IPV6_PREFIX: '128', RATE_LIMIT_REGISTER_PER_HOUR: '1' }),
    });
    expect(await register('2001:db8:1:2::a')).toBe('OK');
    expect(await register('2001:0db8:1:2:0:0:0:a')).toBe('RATE_LIMITED');
    expect(await register('2001:db8:1:2::b')).toBe('OK');
  });

  it('gives sign-ins to one account from one /64 one per-minute budget, and another /64 its own', async () => {
    app = await startTestApp({ env: behindProxy() });
    const user = await aUser(app);
    const codes = [];
    for (let i = 1; i <= 6; i++) codes.push(await login(user, `2001:db8:1:2::${i.toString(16)}`));
    expect(codes).toEqual([...Array(5).fill('AuthPayload'), 'RATE_LIMITED']);
    expect(await login(user, '2001:DB8:1:2:FFFF::1')).toBe('RATE_LIMITED');
    expect(await login(user, '2001:db8:1:3::1')).toBe('AuthPayload');
  });

  it('gives sign-ins from an IPv4-mapped address and the IPv4 address one budget', async () => {
    app = await startTestApp({ env: behindProxy() });
    const user = await aUser(app);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(await login(user, i % 2 ? '203.0.113.9' : '::ffff:203.0.113.9'));
    expect(codes).toEqual([...Array(5).fill('AuthPayload'), 'RATE_LIMITED']);
    expect(await login(user, '203.0.113.10')).toBe('AuthPayload');
  });

  it('counts the daily failure cap per /64: failures from several of its addresses stop all of them', async () => {
    app = await startTestApp({ env: behindProxy({ RATE_LIMIT_LOGIN_FAILURES_PER_DAY: '3' }) });
    const user = await aUser(app);
    let n = 0;
    const fail = (address: string) =>
      login({ email: `nobody${++n}@example.com`, password: 'x'.repeat(12) }, address);
    expect(await fail('2001:db8:9:9::1')).toBe('INVALID_CREDENTIALS');
    expect(await fail('2001:db8:9:9::2')).toBe('INVALID_CREDENTIALS');
    expect(await fail('::ffff:198.51.100.7')).toBe('INVALID_CREDENTIALS');
    // Two failures in the /64 so far: one more is allowed, then none, for any account.
    expect(await fail('2001:db8:9:9:abcd::3')).toBe('INVALID_CREDENTIALS');
    expect(await login(user, '2001:db8:9:9::4')).toBe('RATE_LIMITED');
    expect(await login(user, '2001:db8:9:a::1')).toBe('AuthPayload');
    // The mapped address's failure was counted for 198.51.100.7.
    expect(await fail('198.51.100.7')).toBe('INVALID_CREDENTIALS');
    expect(await fail('198.51.100.7')).toBe('INVALID_CREDENTIALS');
    expect(await login(user, '198.51.100.7')).toBe('RATE_LIMITED');
  });
});
