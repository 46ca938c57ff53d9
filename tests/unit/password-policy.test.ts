import { checkPassword } from '../../src/identity/domain/password-policy';
import { DomainError } from '../../src/kernel/errors';

const reason = (
  password: string,
  context = { username: 'ndapewa', email: 'n.shikongo@example.na' },
  minLength = 12,
) => {
  try {
    checkPassword(password, { minLength, context });
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError && err.details.field === 'password') return err.message;
    throw err;
  }
};

describe('password policy', () => {
  it.each([
    'violet kettle drum 42',
    `${'a'.repeat(72)}X`,
    '🔐'.repeat(64),
    'correct horse battery staple',
    'Kalahari-dunes-at-dawn',
  ])('accepts %s', (p) => expect(reason(p)).toBe('ok'));

  it('counts code points, not bytes or UTF-16 units', () => {
    expect(reason('🔐'.repeat(11))).toMatch(/at least 12/);
    expect(reason('🔐'.repeat(128))).toBe('ok');
    expect(reason('🔐'.repeat(129))).toMatch(/at most 128/);
  });

  it.each(['password1234', 'P@ssw0rd2024', 'qwertyuiop12', 'iloveyou1234', '1234567890123'])(
    'refuses the common password %s',
    (p) => expect(reason(p)).toMatch(/too common/),
  );

  it('refuses passwords containing the username, the email local part or the service name', () => {
    expect(reason('my name is NDAPEWA ok')).toMatch(/username/);
    expect(reason('n.shikongo rocks the kasbah')).toMatch(/email/);
    expect(reason('ElCorp forever and ever')).toMatch(/elcorp/);
  });

  it('honours a configured minimum length', () => {
    expect(reason('thirteen letters', undefined, 20)).toMatch(/at least 20/);
    expect(reason('ab3!kz9q', undefined, 8)).toBe('ok');
  });
});

describe('password policy cost', () => {
  // Regression: the l33t matcher took over 2 s on a 128-character password, blocking the event loop.
  it('checks the longest allowed password without holding the event loop', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()_+-=';
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return chars[seed % chars.length];
    };
    const random = Array.from({ length: 128 }, next).join('');
    const started = performance.now();
    checkPassword(random, { minLength: 12 });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
