import { createHash } from 'node:crypto';
import {
  PASSWORD_DEFAULT_MIN_LENGTH,
  PASSWORD_FLOOR_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from '../kernel/password-limits.js';
import { developmentSecretBytes, loadDevelopmentSecrets } from './dev-secrets.js';

export type Profile = 'development' | 'test' | 'production';

export interface FieldKey {
  id: string;
  key: Buffer;
}

/** Every setting of the service, parsed once at boot. */
export interface Config {
  profile: Profile;
  port: number;
  /** Unset in development and test: an embedded PostgreSQL is started instead. */
  databaseUrl?: string;
  /**
   * DATABASE_POOL_MODE: `transaction` when DATABASE_URL goes through a pooler that lends a server
   * connection per transaction (PgBouncer's pool_mode=transaction); nothing may then rely on a session.
   */
  databasePoolMode: DatabasePoolMode;
  /**
   * DATABASE_LISTEN_URL: a direct connection (not through a transaction pooler) for the one LISTEN
   * that keeps each instance's cache of live sessions fresh; DATABASE_URL when unset.
   */
  databaseListenUrl?: string;
  /**
   * AUTH_CACHE: each instance answers authenticated requests from its cache of live sessions
   * (invalidated through LISTEN/NOTIFY, never used while the listener is not known to be connected)
   * unless set to false.
   */
  authCache: boolean;
  dataDir: string;
  embeddedPostgresPort: number;
  fieldEncryptionKeys: FieldKey[];
  passwordPepper: Buffer;
  bcryptCost: number;
  /** Password hashes computed at once; the thread pool is sized two threads larger. */
  passwordHashConcurrency: number;
  passwordMinLength: number;
  jwt: { issuer: string; audience: string; accessTokenTtlSeconds: number };
  session: { idleTtlSeconds: number; absoluteTtlSeconds: number; refreshGraceSeconds: number };
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number };
  deviceTrust: { ttlSeconds: number; maxFailures: number };
  rateLimits: {
    store: RateLimitStore;
    /** REDIS_URL: where the redis store lives. */
    redisUrl?: string;
    /** Starts every key this service writes to Redis, so deployments can share one server. */
    redisKeyPrefix: string;
    loginPerMinute: number;
    loginFailuresPerDay: number;
    registerPerHour: number;
    /**
     * RATE_LIMIT_IPV6_PREFIX: the leading bits of an IPv6 address that count as one client in
     * every address-keyed budget (sign-in, the failure cap, registration).
     */
    ipv6PrefixBits: number;
    refreshPerMinute: number;
    smsCooldownSeconds: number;
    smsPerDay: number;
    codeAttemptsPerWindow: number;
    /** Password re-checks of a signed-in user, per session per 15 minutes and per account per hour. */
    passwordChecksPerSession: number;
    passwordChecksPerAccount: number;
    /** Wrong passwords in one session's re-checks after which the session ends. */
    passwordCheckFailuresPerSession: number;
    /** Verification links an account may ask for per hour. */
    emailLinksPerHour: number;
    /** Forgotten-password requests per hour: per address asked about, and per client. */
    passwordResetsPerEmail: number;
    passwordResetsPerClient: number;
    /** Wallet challenges a client address may ask for per minute. */
    walletChallengesPerMinute: number;
    /** Passkey sign-in options handed out per client address per minute. */
    passkeyOptionsPerMinute: number;
  };
  sms: { provider: 'outbox' | 'http'; url?: string; token?: string; timeoutMs: number; retries: number };
  /** SMTP_URL (credentials inside, never echoed): unset, mail lands in the mail_outbox table. */
  mail: { smtpUrl?: string; from: string };
  /** The job queue on PostgreSQL (pg-boss) that sends mail and SMS and runs periodic work. */
  jobs: {
    /** WORKER: this process works jobs (on unless set to off); a worker process always does. */
    worker: boolean;
    /** Retries after the first attempt; then the job goes to its queue's dead letters. */
    retryLimit: number;
    retryDelaySeconds: number;
    /** Each retry waits about twice as long as the one before (with jitter), up to the maximum. */
    retryBackoff: boolean;
    retryDelayMaxSeconds: number;
  };
  /** AUDIT_LOG_ENABLED: the audit trail is on unless set to false. */
  auditLogEnabled: boolean;
  /** The chainer that links staged audit entries into the hash chain (in processes that work jobs). */
  auditChain: {
    /** AUDIT_CHAIN_INTERVAL_MS: how often the chainer looks for staged entries. */
    intervalMs: number;
    /** AUDIT_CHAIN_LEASE_MS: how long the chainer stays elected past its last batch. */
    leaseMs: number;
    /** AUDIT_CHAIN_BATCH: entries linked per transaction. */
    batchSize: number;
  };
  /** AUDIT_CHECKPOINT_CRON: when the chain's head is signed for keepers (UTC cron); undefined when off. */
  auditCheckpointCron?: string;
  /**
   * METRICS_TOKEN: when set, GET /metrics answers only `Authorization: Bearer <token>`. Unset, it
   * answers without one outside production, and not at all (404) in production.
   */
  metricsToken?: string;
  trustedProxies: string[];
  /** Where the links in emails point: `${publicWebUrl}/verify-email?token=…`. */
  publicWebUrl: string;
  /** Sign-in needs a verified email address. */
  requireVerifiedEmail: boolean;
  /** Exact browser origins allowed to call /graphql with credentials (CORS). */
  corsOrigins: string[];
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_BCRYPT_COST = 10;
/**
 * Password hashes in flight. More than the cores, so that a core is never idle between two hashes
 * while sign-ins wait; the pool's threads run at a low priority, so requests that need no hash
 * still come first (adapters/crypto/thread-pool.ts).
 */
export const DEFAULT_PASSWORD_HASH_CONCURRENCY = 4;
/** Tests may hash faster; only the test profile accepts a cost below MIN_BCRYPT_COST. */
const MIN_TEST_BCRYPT_COST = 4;

/** Values that appear in examples and must never protect a production deployment. */
const PLACEHOLDER_SECRETS = new Set([
  '',
  'changeme',
  'change-me',
  'secret',
  'development',
  'dev',
  'test',
  'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
]);

/** The placeholders as bytes, so that a re-spelling of one (no padding, base64url) is one too. */
const PLACEHOLDER_BYTES = [...PLACEHOLDER_SECRETS]
  .map((text) => Buffer.from(text, 'base64'))
  .filter((bytes) => bytes.length > 0);

type Env = Record<string, string | undefined>;

/**
 * Parses the environment into a Config. In development and test, missing
 * secrets come from `<dataDir>/secrets.json`, generated on first use; in
 * production every required secret must be set and must not be a development value.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const profile = parseProfile(env.NODE_ENV, problems);
  const dataDir = env.DATA_DIR ?? `${cwd}/.data`;
  const needsDevSecrets = profile !== 'production' && (!env.FIELD_ENCRYPTION_KEYS || !env.PASSWORD_PEPPER);
  const dev = needsDevSecrets ? loadDevelopmentSecrets(dataDir) : undefined;

  const databaseUrl = env.DATABASE_URL || undefined;
  if (profile === 'production' && !databaseUrl) problems.push('DATABASE_URL is required in production');

  const keysText = env.FIELD_ENCRYPTION_KEYS || dev?.fieldEncryptionKeys;
  const pepperText = env.PASSWORD_PEPPER || dev?.passwordPepper;
  const fieldEncryptionKeys = parseFieldKeys(keysText, problems);
  const passwordPepper = parseSecret('PASSWORD_PEPPER', pepperText, problems);

  if (profile === 'production') {
    // Compared by the bytes the service would use, never by their text: base64 has many spellings.
    const devFile = loadDevelopmentSecrets(dataDir, { create: false });
    const devBytes = devFile ? developmentSecretBytes(devFile) : [];
    if (fieldEncryptionKeys.some((k) => isDevKey(k) || devBytes.some((d) => d.equals(k.key)))) {
      problems.push('FIELD_ENCRYPTION_KEYS holds a development key');
    }
    if (
      pepperText &&
      (PLACEHOLDER_SECRETS.has(pepperText.trim()) ||
        [...devBytes, ...PLACEHOLDER_BYTES].some((d) => sameHmacKey(d, passwordPepper)))
    ) {
      problems.push('PASSWORD_PEPPER holds a development value');
    }
  }

  const bcryptCost = parseIntSetting('BCRYPT_COST', env.BCRYPT_COST, 12, problems);
  const minCost = profile === 'test' ? MIN_TEST_BCRYPT_COST : MIN_BCRYPT_COST;
  if (bcryptCost < minCost || bcryptCost > 20) problems.push(`BCRYPT_COST must be between ${minCost} and 20`);
  const passwordHashConcurrency = parseIntSetting(
    'PASSWORD_HASH_CONCURRENCY',
    env.PASSWORD_HASH_CONCURRENCY,
    DEFAULT_PASSWORD_HASH_CONCURRENCY,
    problems,
  );
  if (passwordHashConcurrency < 1 || passwordHashConcurrency > 64)
    problems.push('PASSWORD_HASH_CONCURRENCY must be between 1 and 64');

  const int = (name: string, fallback: number) => parseIntSetting(name, env[name], fallback, problems);
  const passwordMinLength = parseIntSetting(
    'PASSWORD_MIN_LENGTH',
    env.PASSWORD_MIN_LENGTH,
    PASSWORD_DEFAULT_MIN_LENGTH,
    problems,
  );
  if (passwordMinLength < PASSWORD_FLOOR_MIN_LENGTH || passwordMinLength > PASSWORD_MAX_LENGTH) {
    problems.push(
      `PASSWORD_MIN_LENGTH must be between ${PASSWORD_FLOOR_MIN_LENGTH} and ${PASSWORD_MAX_LENGTH}`,
    );
  }

  const config: Config = {
    profile,
    port: parseIntSetting('PORT', env.PORT, 4000, problems),
    databaseUrl,
    databasePoolMode: parsePoolMode(env.DATABASE_POOL_MODE, problems),
    databaseListenUrl: env.DATABASE_LISTEN_URL || undefined,
    authCache: parseBool('AUTH_CACHE', env.AUTH_CACHE, true, problems),
    dataDir,
    embeddedPostgresPort: parseIntSetting('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT, 54329, problems),
    fieldEncryptionKeys,
    passwordPepper,
    bcryptCost,
    passwordHashConcurrency,
    passwordMinLength,
    jwt: {
      issuer: env.JWT_ISSUER || 'elcorp-identity',
      audience: env.JWT_AUDIENCE || 'elcorp',
      accessTokenTtlSeconds: parseIntSetting(
        'ACCESS_TOKEN_TTL_SECONDS',
        env.ACCESS_TOKEN_TTL_SECONDS,
        900,
        problems,
      ),
    },
    session: {
      idleTtlSeconds: parseIntSetting(
        'SESSION_IDLE_TTL_SECONDS',
        env.SESSION_IDLE_TTL_SECONDS,
        14 * 86400,
        problems,
      ),
      absoluteTtlSeconds: parseIntSetting(
        'SESSION_ABSOLUTE_TTL_SECONDS',
        env.SESSION_ABSOLUTE_TTL_SECONDS,
        60 * 86400,
        problems,
      ),
      refreshGraceSeconds: parseIntSetting('REFRESH_GRACE_SECONDS', env.REFRESH_GRACE_SECONDS, 10, problems),
    },
    lockout: {
      threshold: int('LOCKOUT_THRESHOLD', 5),
      baseSeconds: int('LOCKOUT_BASE_SECONDS', 15 * 60),
      maxSeconds: int('LOCKOUT_MAX_SECONDS', 24 * 3600),
    },
    deviceTrust: {
      ttlSeconds: int('DEVICE_TRUST_TTL_SECONDS', 90 * 86400),
      maxFailures: int('DEVICE_TRUST_MAX_FAILURES', 3),
    },
    rateLimits: {
      store: parseStore(env.RATE_LIMIT_STORE, env.REDIS_URL, profile, problems),
      redisUrl: parseRedisUrl(env.REDIS_URL, problems),
      redisKeyPrefix: env.REDIS_KEY_PREFIX || 'elcorp-identity:',
      loginPerMinute: int('RATE_LIMIT_LOGIN_PER_MINUTE', 5),
      loginFailuresPerDay: int('RATE_LIMIT_LOGIN_FAILURES_PER_DAY', 100),
      registerPerHour: int('RATE_LIMIT_REGISTER_PER_HOUR', 3),
      ipv6PrefixBits: parseIntInRange(
        'RATE_LIMIT_IPV6_PREFIX',
        env.RATE_LIMIT_IPV6_PREFIX,
        { fallback: 64, min: 32, max: 128 },
        'the leading bits of an IPv6 address that count as one client',
        problems,
      ),
      refreshPerMinute: parseIntInRange(
        'RATE_LIMIT_REFRESH_PER_MINUTE',
        env.RATE_LIMIT_REFRESH_PER_MINUTE,
        { fallback: 60, min: 1, max: 2_000_000_000 },
        'refreshes per session per minute, counted on the session row',
        problems,
      ),
      smsCooldownSeconds: int('SMS_RESEND_COOLDOWN_SECONDS', 30),
      smsPerDay: int('SMS_PER_PHONE_PER_DAY', 10),
      codeAttemptsPerWindow: int('RATE_LIMIT_CODE_ATTEMPTS', 5),
      passwordChecksPerSession: int('RATE_LIMIT_PASSWORD_CHECKS_PER_SESSION', 5),
      passwordChecksPerAccount: int('RATE_LIMIT_PASSWORD_CHECKS_PER_ACCOUNT', 10),
      passwordCheckFailuresPerSession: int('PASSWORD_CHECK_FAILURES_PER_SESSION', 3),
      emailLinksPerHour: int('RATE_LIMIT_EMAIL_LINKS_PER_HOUR', 3),
      passwordResetsPerEmail: int('RATE_LIMIT_PASSWORD_RESETS_PER_EMAIL', 3),
      passwordResetsPerClient: int('RATE_LIMIT_PASSWORD_RESETS_PER_CLIENT', 10),
      walletChallengesPerMinute: int('RATE_LIMIT_WALLET_CHALLENGES_PER_MINUTE', 20),
      passkeyOptionsPerMinute: int('RATE_LIMIT_PASSKEY_OPTIONS_PER_MINUTE', 30),
    },
    sms: {
      provider: env.SMS_HTTP_URL ? 'http' : 'outbox',
      url: env.SMS_HTTP_URL || undefined,
      token: env.SMS_HTTP_TOKEN || undefined,
      timeoutMs: int('SMS_HTTP_TIMEOUT_MS', 5000),
      retries: int('SMS_HTTP_RETRIES', 2),
    },
    mail: {
      smtpUrl: parseSmtpUrl(env.SMTP_URL, problems),
      from: parseMailFrom(env.MAIL_FROM, problems),
    },
    jobs: {
      worker: parseBool('WORKER', env.WORKER, true, problems),
      retryLimit: parseIntInRange(
        'JOB_RETRY_LIMIT',
        env.JOB_RETRY_LIMIT,
        { fallback: 8, min: 0, max: 100 },
        'retries of a failed job before it is dead-lettered',
        problems,
      ),
      retryDelaySeconds: parseIntInRange(
        'JOB_RETRY_DELAY_SECONDS',
        env.JOB_RETRY_DELAY_SECONDS,
        { fallback: 5, min: 1, max: 86400 },
        'seconds before the first retry',
        problems,
      ),
      retryBackoff: parseBool('JOB_RETRY_BACKOFF', env.JOB_RETRY_BACKOFF, true, problems),
      retryDelayMaxSeconds: parseIntInRange(
        'JOB_RETRY_DELAY_MAX_SECONDS',
        env.JOB_RETRY_DELAY_MAX_SECONDS,
        { fallback: 3600, min: 1, max: 7 * 86400 },
        'the longest wait between two retries',
        problems,
      ),
    },
    auditLogEnabled: parseBool('AUDIT_LOG_ENABLED', env.AUDIT_LOG_ENABLED, true, problems),
    auditChain: {
      intervalMs: parseIntInRange(
        'AUDIT_CHAIN_INTERVAL_MS',
        env.AUDIT_CHAIN_INTERVAL_MS,
        { fallback: 200, min: 10, max: 60_000 },
        'milliseconds between two looks for audit entries to link',
        problems,
      ),
      leaseMs: parseIntInRange(
        'AUDIT_CHAIN_LEASE_MS',
        env.AUDIT_CHAIN_LEASE_MS,
        { fallback: 3000, min: 100, max: 600_000 },
        'milliseconds the audit chainer stays elected past its last batch',
        problems,
      ),
      batchSize: parseIntInRange(
        'AUDIT_CHAIN_BATCH',
        env.AUDIT_CHAIN_BATCH,
        { fallback: 5000, min: 1, max: 100_000 },
        'audit entries linked per transaction',
        problems,
      ),
    },
    auditCheckpointCron: parseCron(
      'AUDIT_CHECKPOINT_CRON',
      env.AUDIT_CHECKPOINT_CRON,
      '*/10 * * * *',
      problems,
    ),
    metricsToken: parseMetricsToken(env.METRICS_TOKEN, profile, problems),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS, profile, problems),
    publicWebUrl: parsePublicWebUrl(env.PUBLIC_WEB_URL, profile, problems),
    requireVerifiedEmail: parseBool('REQUIRE_VERIFIED_EMAIL', env.REQUIRE_VERIFIED_EMAIL, false, problems),
    trustedProxies: (env.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.LOG_LEVEL || (profile === 'test' ? 'silent' : 'info'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * A cron expression of 5 fields (minute hour day-of-month month day-of-week), read in UTC, or
 * `off`. The job queue parses it fully when it registers the schedule.
 */
function parseCron(
  name: string,
  value: string | undefined,
  fallback: string,
  problems: string[],
): string | undefined {
  const v = value?.trim().replace(/\s+/g, ' ') || fallback;
  if (v === 'off') return undefined;
  if (!/^[\w*/,?#-]+( [\w*/,?#-]+){4}$/.test(v)) {
    problems.push(`${name} must be a cron expression such as "*/10 * * * *", or off`);
    return undefined;
  }
  return v;
}

function parseProfile(value: string | undefined, problems: string[]): Profile {
  const v = value || 'development';
  if (v === 'development' || v === 'test' || v === 'production') return v;
  problems.push(`NODE_ENV must be development, test or production (got "${v}")`);
  return 'development';
}

/** `session`: each connection is a PostgreSQL session of its own (direct, or a session pooler). */
export type DatabasePoolMode = 'session' | 'transaction';

function parsePoolMode(value: string | undefined, problems: string[]): DatabasePoolMode {
  const v = value || 'session';
  if (v === 'session' || v === 'transaction') return v;
  problems.push(`DATABASE_POOL_MODE must be session or transaction (got "${v}")`);
  return 'session';
}

export type RateLimitStore = 'memory' | 'postgres' | 'redis';

/**
 * memory: one process only; postgres: shared by every instance through the
 * service's database; redis: shared through REDIS_URL. Unset, the store is
 * redis when REDIS_URL is given, else postgres in production, else memory.
 */
function parseStore(
  value: string | undefined,
  redisUrl: string | undefined,
  profile: Profile,
  problems: string[],
): RateLimitStore {
  const v = value || (redisUrl ? 'redis' : profile === 'production' ? 'postgres' : 'memory');
  if (v === 'redis' && !redisUrl) {
    problems.push('RATE_LIMIT_STORE=redis needs REDIS_URL (e.g. redis://localhost:6379)');
    return 'memory';
  }
  if (v === 'memory' || v === 'postgres' || v === 'redis') return v;
  problems.push(`RATE_LIMIT_STORE must be memory, postgres or redis (got "${v}")`);
  return 'memory';
}

/** A redis:// or rediss:// URL, or a unix socket path. Never echoed: it may hold a password. */
/**
 * PUBLIC_WEB_URL: the web app that opens the links in emails (an http(s) URL, no query). Outside
 * production the account console of the local service; production must name it.
 */
function parsePublicWebUrl(value: string | undefined, profile: Profile, problems: string[]): string {
  if (!value) {
    if (profile === 'production')
      problems.push('PUBLIC_WEB_URL is required in production (the web app that opens email links)');
    return 'http://localhost:4000/account';
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    problems.push('PUBLIC_WEB_URL must be an http(s) URL without query or fragment');
    return value;
  }
  return value.replace(/\/+$/, '');
}

/** The Vite dev server, where a React app is developed against a local service. */
const DEVELOPMENT_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

/**
 * CORS_ORIGINS: comma-separated exact origins (scheme, host and port, nothing else). Credentials go
 * only to listed origins, so a wildcard is refused. Unset: the Vite dev server outside production,
 * none in production.
 */
function parseCorsOrigins(value: string | undefined, profile: Profile, problems: string[]): string[] {
  if (value === undefined) return profile === 'production' ? [] : [...DEVELOPMENT_CORS_ORIGINS];
  const origins = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin.includes('*')) {
      problems.push('CORS_ORIGINS cannot hold a wildcard: credentialed requests need exact origins');
      continue;
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin)
      problems.push(
        `CORS_ORIGINS entries must be exact origins such as https://app.example.com (no path, no trailing slash): ${JSON.stringify(origin.slice(0, 100))}`,
      );
  }
  return origins;
}

/** SMTP_URL: smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start). Never echoed: it holds credentials. */
function parseSmtpUrl(value: string | undefined, problems: string[]): string | undefined {
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    problems.push(
      'SMTP_URL must be an smtp:// or smtps:// URL with a host (e.g. smtps://user:password@mail.example.com:465)',
    );
  }
  return value;
}

const DEFAULT_MAIL_FROM = 'elcorp identity <no-reply@localhost>';

/** MAIL_FROM: the sender of every mail, an address with an optional display name. */
function parseMailFrom(value: string | undefined, problems: string[]): string {
  if (!value) return DEFAULT_MAIL_FROM;
  const address = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value.trim();
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address) || /[\r\n]/.test(value))
    problems.push(
      'MAIL_FROM must be an address, optionally with a name: "elcorp identity <no-reply@example.com>"',
    );
  return value.trim();
}

function parseRedisUrl(value: string | undefined, problems: string[]): string | undefined {
  if (!value) return undefined;
  if (value.startsWith('/')) return value;
  let scheme: string | undefined;
  try {
    scheme = new URL(value).protocol;
  } catch {
    scheme = undefined;
  }
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    problems.push(
      'REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://:password@cache:6379/0) or a unix socket path',
    );
  }
  return value;
}

/** The shortest METRICS_TOKEN production accepts: 32 characters, as `openssl rand -hex 16` prints. */
export const MIN_METRICS_TOKEN_LENGTH = 32;

/**
 * METRICS_TOKEN: a bearer token (RFC 6750 characters: letters, digits, `-._~+/`, then `=` padding),
 * so that it can be sent at all; in production at least 32 characters and no placeholder. Never echoed.
 */
function parseMetricsToken(
  value: string | undefined,
  profile: Profile,
  problems: string[],
): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(value)) {
    problems.push('METRICS_TOKEN must be a bearer token: letters, digits and - . _ ~ + / (then = padding)');
  } else if (
    profile === 'production' &&
    (value.length < MIN_METRICS_TOKEN_LENGTH || PLACEHOLDER_SECRETS.has(value))
  ) {
    problems.push(
      `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters in production (e.g. openssl rand -hex 32)`,
    );
  }
  return value;
}

function parseBool(name: string, value: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  problems.push(`${name} must be true or false`);
  return fallback;
}

function parseIntSetting(
  name: string,
  value: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a non-negative integer`);
    return fallback;
  }
  return n;
}

/** An integer setting within [min, max]; anything else is one problem naming the range and the value. */
function parseIntInRange(
  name: string,
  value: string | undefined,
  range: { fallback: number; min: number; max: number },
  meaning: string,
  problems: string[],
): number {
  if (value === undefined || value === '') return range.fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    problems.push(
      `${name} must be an integer from ${range.min} to ${range.max} (${meaning}; default ${range.fallback}), got "${value}"`,
    );
    return range.fallback;
  }
  return n;
}

function parseSecret(name: string, value: string | undefined, problems: string[]): Buffer {
  if (!value) {
    problems.push(`${name} is required`);
    return Buffer.alloc(0);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 32) problems.push(`${name} must be at least 32 bytes, base64-encoded`);
  return bytes;
}

function parseFieldKeys(value: string | undefined, problems: string[]): FieldKey[] {
  if (!value) {
    problems.push('FIELD_ENCRYPTION_KEYS is required');
    return [];
  }
  const keys: FieldKey[] = [];
  for (const part of value.split(',')) {
    const [id, b64] = part.trim().split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      problems.push('FIELD_ENCRYPTION_KEYS entries must be keyId:base64Key with a 32-byte key');
      return [];
    }
    if (keys.some((k) => k.id === id)) problems.push(`FIELD_ENCRYPTION_KEYS repeats key id ${id}`);
    keys.push({ id, key });
  }
  return keys;
}

/**
 * Whether two HMAC-SHA-256 keys give the same MACs (RFC 2104): a key longer than the 64-byte
 * block is replaced by its SHA-256, and a shorter one is padded with zero bytes, so trailing
 * zero bytes make no difference. An all-zero key is the empty key.
 */
function sameHmacKey(a: Buffer, b: Buffer): boolean {
  const effective = (key: Buffer) => {
    const block = key.length > 64 ? createHash('sha256').update(key).digest() : key;
    let end = block.length;
    while (end > 0 && block[end - 1] === 0) end -= 1;
    return block.subarray(0, end);
  };
  return effective(a).equals(effective(b));
}

const isDevKey = (k: FieldKey) => k.id.startsWith('dev') || k.key.every((b) => b === 0);
