import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  PUBLIC_WEB_URL: 'https://account.elcorp.example',
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
    expect(problems).toContain('PUBLIC_WEB_URL');
  });

  it('takes PUBLIC_WEB_URL as an http(s) URL without query, the local console by default outside production', () => {
    expect(loadConfig({}, tmp()).publicWebUrl).toBe('http://localhost:4000/account');
    expect(loadConfig({ PUBLIC_WEB_URL: 'https://account.elcorp.na/' }, tmp()).publicWebUrl).toBe(
      'https://account.elcorp.na',
    );
    for (const bad of [
      'account.elcorp.na',
      'ftp://elcorp.na',
      'https://elcorp.na/?x=1',
      'https://elcorp.na/#top',
    ])
      expect(problemsOf({ PUBLIC_WEB_URL: bad })).toMatch(/PUBLIC_WEB_URL must be an http\(s\) URL/);
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

  it('refuses the development field-encryption key under any key id, beside other keys too', () => {
    const dir = tmp();
    loadConfig({}, dir);
    const dev = JSON.parse(readFileSync(join(dir, '.data', 'secrets.json'), 'utf8'));
    const devKey = dev.fieldEncryptionKeys.split(':')[1];
    for (const keys of [`prod1:${devKey}`, `${goodSecrets.FIELD_ENCRYPTION_KEYS},old:${devKey}`]) {
      const problems = problemsOf(
        { NODE_ENV: 'production', ...goodSecrets, FIELD_ENCRYPTION_KEYS: keys },
        dir,
      );
      expect(problems).toContain('FIELD_ENCRYPTION_KEYS holds a development key');
    }
  });

  describe('refuses development secrets by their bytes, however they are spelled', () => {
    // Bytes whose base64 holds both "+" and "/", so that base64url spells them differently.
    const keyBytes = Buffer.from(Array.from({ length: 32 }, (_, i) => [0xfb, 0xff, 0xbf][i % 3]));
    const pepperBytes = Buffer.from(Array.from({ length: 32 }, (_, i) => [0xbf, 0xfb, 0xff][i % 3]));
    const withDevFile = () => {
      const dir = tmp();
      mkdirSync(join(dir, '.data'));
      writeFileSync(
        join(dir, '.data', 'secrets.json'),
        JSON.stringify({
          fieldEncryptionKeys: `dev1:${keyBytes.toString('base64')}`,
          passwordPepper: pepperBytes.toString('base64'),
        }),
      );
      return dir;
    };
    const production = (env: Record<string, string>) =>
      problemsOf({ NODE_ENV: 'production', ...goodSecrets, ...env }, withDevFile());

    it('spells with "+", "/" and padding: the fixture is what it claims', () => {
      expect(keyBytes.toString('base64')).toMatch(/[+/].*=$/);
      expect(pepperBytes.toString('base64')).toMatch(/[+/].*=$/);
      expect(keyBytes.toString('base64url')).not.toBe(keyBytes.toString('base64').replace(/=+$/, ''));
    });

    it.each([
      ['base64 under another key id', keyBytes.toString('base64')],
      ['base64 without padding', keyBytes.toString('base64').replace(/=+$/, '')],
      ['base64url', keyBytes.toString('base64url')],
      ['base64url with padding', `${keyBytes.toString('base64url')}=`],
    ])('the field-encryption key as %s', (_, spelling) => {
      expect(production({ FIELD_ENCRYPTION_KEYS: `live7:${spelling}` })).toContain(
        'FIELD_ENCRYPTION_KEYS holds a development key',
      );
    });

    it.each([
      ['base64', pepperBytes.toString('base64')],
      ['base64 without padding', pepperBytes.toString('base64').replace(/=+$/, '')],
      ['base64url', pepperBytes.toString('base64url')],
      ['base64url with padding', `${pepperBytes.toString('base64url')}=`],
    ])('the pepper as %s', (_, spelling) => {
      expect(production({ PASSWORD_PEPPER: spelling })).toContain(
        'PASSWORD_PEPPER holds a development value',
      );
    });

    it('the pepper with zero bytes appended, which HMAC-SHA-256 pads with anyway', () => {
      const padded = Buffer.concat([pepperBytes, Buffer.alloc(4)]);
      expect(production({ PASSWORD_PEPPER: padded.toString('base64') })).toContain(
        'PASSWORD_PEPPER holds a development value',
      );
    });

    it('the development key used as the pepper, and the pepper used as a key', () => {
      expect(production({ PASSWORD_PEPPER: keyBytes.toString('base64url') })).toContain(
        'PASSWORD_PEPPER holds a development value',
      );
      expect(production({ FIELD_ENCRYPTION_KEYS: `live7:${pepperBytes.toString('base64')}` })).toContain(
        'FIELD_ENCRYPTION_KEYS holds a development key',
      );
    });

    it('the all-zero placeholder pepper without its padding', () => {
      expect(production({ PASSWORD_PEPPER: 'A'.repeat(43) })).toContain(
        'PASSWORD_PEPPER holds a development value',
      );
      expect(production({ PASSWORD_PEPPER: Buffer.alloc(48).toString('base64url') })).toContain(
        'PASSWORD_PEPPER holds a development value',
      );
    });

    it('while other bytes pass', () => {
      expect(production({})).toBe('');
    });
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

  it('takes CORS_ORIGINS as exact origins: the Vite dev server by default outside production, none in production', () => {
    expect(loadConfig({}, tmp()).corsOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:5173']);
    expect(loadConfig({ NODE_ENV: 'production', ...goodSecrets }, tmp()).corsOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: ' https://app.elcorp.na , http://localhost:3000 ' }, tmp()).corsOrigins,
    ).toEqual(['https://app.elcorp.na', 'http://localhost:3000']);
    expect(problemsOf({ CORS_ORIGINS: '*' })).toMatch(/CORS_ORIGINS cannot hold a wildcard/);
    expect(problemsOf({ CORS_ORIGINS: 'https://*.elcorp.na' })).toMatch(
      /CORS_ORIGINS cannot hold a wildcard/,
    );
    for (const bad of [
      'https://app.elcorp.na/',
      'https://app.elcorp.na/path',
      'app.elcorp.na',
      'ftp://elcorp.na',
    ])
      expect(problemsOf({ CORS_ORIGINS: bad })).toMatch(/CORS_ORIGINS entries must be exact origins/);
  });

  it('takes RATE_LIMIT_IPV6_PREFIX as an integer from 32 to 128, 64 by default', () => {
    const prefix = (env: Record<string, string>) => loadConfig(env, tmp()).rateLimits.ipv6PrefixBits;
    expect(prefix({})).toBe(64);
    expect(prefix({ RATE_LIMIT_IPV6_PREFIX: '48' })).toBe(48);
    expect(prefix({ RATE_LIMIT_IPV6_PREFIX: '32' })).toBe(32);
    expect(prefix({ RATE_LIMIT_IPV6_PREFIX: '128' })).toBe(128);
    for (const value of ['31', '129', '0', '-64', '64.5', 'sixty-four', '/64']) {
      expect(problemsOf({ RATE_LIMIT_IPV6_PREFIX: value })).toBe(
        `RATE_LIMIT_IPV6_PREFIX must be an integer from 32 to 128 (the leading bits of an IPv6 address that count as one client; default 64), got "${value}"`,
      );
    }
  });

  it('takes RATE_LIMIT_REFRESH_PER_MINUTE as at least 1, 60 by default', () => {
    const budget = (env: Record<string, string>) => loadConfig(env, tmp()).rateLimits.refreshPerMinute;
    expect(budget({})).toBe(60);
    expect(budget({ RATE_LIMIT_REFRESH_PER_MINUTE: '1' })).toBe(1);
    for (const value of ['0', '-1', '2.5', 'many', '2000000001'])
      expect(problemsOf({ RATE_LIMIT_REFRESH_PER_MINUTE: value })).toBe(
        `RATE_LIMIT_REFRESH_PER_MINUTE must be an integer from 1 to 2000000000 (refreshes per session per minute, counted on the session row; default 60), got "${value}"`,
      );
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

  it('takes SMTP_URL as smtp:// or smtps:// only, without repeating it; unset, mail goes to the outbox table', () => {
    const dir = tmp();
    expect(loadConfig({}, dir).mail).toEqual({ from: 'elcorp identity <no-reply@localhost>' });
    for (const url of ['smtp://user:pass@mail.example.com:587', 'smtps://user:p%40ss@mail.example.com']) {
      expect(problemsOf({ SMTP_URL: url })).toBe('');
      expect(loadConfig({ SMTP_URL: url }, dir).mail.smtpUrl).toBe(url);
    }
    for (const url of [
      'relay.elcorp.internal:25',
      'http://u:hunter2@relay.elcorp.internal',
      'smtp://',
      'hunter2',
    ]) {
      const problems = problemsOf({ SMTP_URL: url });
      expect(problems).toContain('SMTP_URL must be an smtp:// or smtps:// URL');
      expect(problems).not.toContain('hunter2');
      expect(problems).not.toContain('relay.elcorp.internal');
    }
  });

  it('takes MAIL_FROM as an address with an optional name', () => {
    const from = (value: string) => loadConfig({ MAIL_FROM: value }, tmp()).mail.from;
    expect(from('no-reply@elcorp.na')).toBe('no-reply@elcorp.na');
    expect(from('elcorp <no-reply@elcorp.na>')).toBe('elcorp <no-reply@elcorp.na>');
    for (const bad of ['elcorp', 'elcorp <>', 'a@b\r\nBcc: x@y'])
      expect(problemsOf({ MAIL_FROM: bad })).toContain('MAIL_FROM must be an address');
  });

  it('works jobs in the server process unless WORKER=off, and retries them 8 times with backoff from 5 s', () => {
    const dir = tmp();
    expect(loadConfig({}, dir).jobs).toEqual({
      worker: true,
      retryLimit: 8,
      retryDelaySeconds: 5,
      retryBackoff: true,
      retryDelayMaxSeconds: 3600,
    });
    expect(loadConfig({ WORKER: 'off' }, dir).jobs.worker).toBe(false);
    const custom = loadConfig(
      { JOB_RETRY_LIMIT: '0', JOB_RETRY_DELAY_SECONDS: '30', JOB_RETRY_BACKOFF: 'false' },
      dir,
    ).jobs;
    expect(custom).toMatchObject({ retryLimit: 0, retryDelaySeconds: 30, retryBackoff: false });
    expect(problemsOf({ WORKER: 'sometimes' })).toContain('WORKER must be true or false');
    expect(problemsOf({ JOB_RETRY_LIMIT: '-1' })).toContain(
      'JOB_RETRY_LIMIT must be an integer from 0 to 100',
    );
    expect(problemsOf({ JOB_RETRY_DELAY_SECONDS: '0' })).toContain(
      'JOB_RETRY_DELAY_SECONDS must be an integer from 1',
    );
    expect(problemsOf({ JOB_RETRY_DELAY_MAX_SECONDS: 'soon' })).toContain(
      'JOB_RETRY_DELAY_MAX_SECONDS must be',
    );
  });

  it('takes DATABASE_POOL_MODE as session (the default) or transaction', () => {
    const dir = tmp();
    expect(loadConfig({}, dir).databasePoolMode).toBe('session');
    expect(loadConfig({ DATABASE_POOL_MODE: 'transaction' }, dir).databasePoolMode).toBe('transaction');
    expect(problemsOf({ DATABASE_POOL_MODE: 'statement' })).toContain(
      'DATABASE_POOL_MODE must be session or transaction',
    );
  });

  it('signs audit checkpoints every 10 minutes unless AUDIT_CHECKPOINT_CRON says otherwise or off', () => {
    const dir = tmp();
    expect(loadConfig({}, dir).auditCheckpointCron).toBe('*/10 * * * *');
    expect(loadConfig({ AUDIT_CHECKPOINT_CRON: ' 5  *  * * * ' }, dir).auditCheckpointCron).toBe('5 * * * *');
    expect(loadConfig({ AUDIT_CHECKPOINT_CRON: 'off' }, dir).auditCheckpointCron).toBeUndefined();
    for (const bad of ['hourly', '* * * *', '* * * * * *', '*/10 * * * *; drop'])
      expect(problemsOf({ AUDIT_CHECKPOINT_CRON: bad })).toContain(
        'AUDIT_CHECKPOINT_CRON must be a cron expression',
      );
  });

  it('takes METRICS_TOKEN as a bearer token, at least 32 characters in production, never repeating it', () => {
    const dir = tmp();
    expect(loadConfig({}, dir).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'short-but-fine-in-dev' }, dir).metricsToken).toBe(
      'short-but-fine-in-dev',
    );
    const strong = 'f3a9c2e17b5d4086a1e2c3d4b5a69788';
    expect(
      loadConfig({ NODE_ENV: 'production', ...goodSecrets, METRICS_TOKEN: strong }, dir).metricsToken,
    ).toBe(strong);
    const production = (token: string) =>
      problemsOf({ NODE_ENV: 'production', ...goodSecrets, METRICS_TOKEN: token });
    expect(production(strong.slice(1))).toContain(
      'METRICS_TOKEN must be at least 32 characters in production',
    );
    expect(production('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toContain(
      'METRICS_TOKEN must be at least',
    );
    for (const unsendable of ['two words', 'line\nbreak', 'quote"d', 'ünïcode-token'])
      expect(problemsOf({ METRICS_TOKEN: `${strong}${unsendable}` })).toContain(
        'METRICS_TOKEN must be a bearer token',
      );
    expect(production(`${strong} x`)).not.toContain(strong);
  });
});
