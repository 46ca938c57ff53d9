import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';

const tmp = () => mkdtempSync(join(tmpdir(), 'elcorp-config-'));
const problemsOf = (env: Record<string, string>, cwd = tmp()) => {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
};
const goodSecrets = {
  FIELD_ENCRYPTION_KEYS: `prod1:${Buffer.alloc(32, 7).toString('base64')}`,
  PASSWORD_PEPPER: Buffer.alloc(32, 9).toString('base64'),
  DATABASE_URL: 'postgres://u:p@db/identity',
};

describe('configuration', () => {
  it('runs development with no variables, generating secrets once under .data', () => {
    const dir = tmp();
    const a = loadConfig({}, dir);
    const b = loadConfig({}, dir);
    expect(a.profile).toBe('development');
    expect(a.port).toBe(4000);
    expect(a.bcryptCost).toBe(12);
    expect(a.databaseUrl).toBeUndefined();
    expect(a.passwordPepper.equals(b.passwordPepper)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, '.data', 'secrets.json'), 'utf8')).fieldEncryptionKeys).toMatch(
      /^dev1:/,
    );
  });

  it('refuses to start production without its secrets, naming each one', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toContain('DATABASE_URL');
    expect(problems).toContain('FIELD_ENCRYPTION_KEYS');
    expect(problems).toContain('PASSWORD_PEPPER');
  });

  it('refuses development values in production', () => {
    const dir = tmp();
    loadConfig({}, dir); // writes .data/secrets.json
    const dev = JSON.parse(readFileSync(join(dir, '.data', 'secrets.json'), 'utf8'));
    const problems = problemsOf(
      {
        NODE_ENV: 'production',
        ...goodSecrets,
        FIELD_ENCRYPTION_KEYS: dev.fieldEncryptionKeys,
        PASSWORD_PEPPER: dev.passwordPepper,
      },
      dir,
    );
    expect(problems).toContain('FIELD_ENCRYPTION_KEYS holds a development key');
    expect(problems).toContain('PASSWORD_PEPPER holds a development value');
  });

  it('accepts real production secrets', () => {
    const config = loadConfig({ NODE_ENV: 'production', ...goodSecrets }, tmp());
    expect(config.fieldEncryptionKeys[0].id).toBe('prod1');
  });

  it('never allows a bcrypt cost below 10 outside tests', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...goodSecrets, BCRYPT_COST: '9' })).toContain('BCRYPT_COST');
    expect(problemsOf({ BCRYPT_COST: '4' })).toContain('BCRYPT_COST');
    expect(problemsOf({ NODE_ENV: 'test', BCRYPT_COST: '4' })).toBe('');
  });

  it('refuses malformed keys and numbers', () => {
    expect(problemsOf({ FIELD_ENCRYPTION_KEYS: 'nokey' })).toContain('keyId:base64Key');
    expect(problemsOf({ FIELD_ENCRYPTION_KEYS: `k:${Buffer.alloc(16).toString('base64')}` })).toContain(
      '32-byte',
    );
    expect(problemsOf({ PORT: 'eighty' })).toContain('PORT');
    expect(problemsOf({ NODE_ENV: 'staging' })).toContain('NODE_ENV');
  });

  it('chooses the rate-limit store: redis when REDIS_URL is given, postgres in production, else memory', () => {
    const store = (env: Record<string, string>) => loadConfig(env, tmp()).rateLimits.store;
    expect(store({})).toBe('memory');
    expect(store({ NODE_ENV: 'production', ...goodSecrets })).toBe('postgres');
    expect(store({ REDIS_URL: 'redis://cache:6379' })).toBe('redis');
    expect(store({ NODE_ENV: 'production', ...goodSecrets, REDIS_URL: 'redis://cache:6379' })).toBe('redis');
    expect(store({ REDIS_URL: 'redis://cache:6379', RATE_LIMIT_STORE: 'postgres' })).toBe('postgres');
    expect(problemsOf({ RATE_LIMIT_STORE: 'redis' })).toContain('RATE_LIMIT_STORE=redis needs REDIS_URL');
    expect(problemsOf({ RATE_LIMIT_STORE: 'memcached' })).toContain('RATE_LIMIT_STORE must be');
  });

  it('takes only redis:// and rediss:// URLs for Redis, without repeating them', () => {
    expect(problemsOf({ REDIS_URL: 'rediss://:secret@cache:6380/0' })).toBe('');
    expect(problemsOf({ REDIS_URL: '/run/redis/redis.sock' })).toBe('');
    for (const url of ['cache:6379', 'http://:hunter2@cache:6379', 'hunter2']) {
      const problems = problemsOf({ REDIS_URL: url });
      expect(problems).toContain('REDIS_URL must be a redis:// or rediss:// URL');
      expect(problems).not.toContain('hunter2');
    }
  });
});
