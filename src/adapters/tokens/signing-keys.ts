import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Clock } from '../../kernel/clock.js';
import type { FieldEncryption } from '../crypto/field-encryption.js';
import { SigningKey } from './signing-key.entity.js';

/** Only an Ed25519 key signs: `sign(null, …)` would sign with any other under the `EdDSA` header. */
function ed25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`signing key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

export const SIGNING_ALG = 'EdDSA';
const PRIVATE_KEY_CONTEXT = 'signing_keys.private_jwk';
/** Transaction-scoped advisory lock serialising key creation across instances. */
const KEY_LOCK_ID = 0x5e1c0de;
/** How long an instance keeps signing with a key after another instance rotated it away. */
export const KEY_CACHE_SECONDS = 30;
/**
 * The oldest keys an instance answers from without waiting: past this, signing and verifying wait
 * for a reload and fail with it (fail closed), so a rotation takes effect on every instance.
 */
export const MAX_STALE_SECONDS = 2 * KEY_CACHE_SECONDS;
/** The least time the JWKS route goes on serving the last public keys it read while reloads fail. */
export const JWKS_STALE_IF_ERROR_FLOOR_SECONDS = 15 * 60;

/**
 * How long after the last successful reload the public key set (JWKS) is still served while
 * reloads fail (stale-if-error), in seconds; past it the JWKS route fails with the reload.
 *
 * An instance signs from its cache for up to MAX_STALE_SECONDS after its last reload, and a token
 * it signs then lives accessTokenTtlSeconds: other services need these keys for that long to
 * verify every token still live. The floor keeps a short token lifetime from turning a routine
 * PostgreSQL restart or failover into JWKS errors at every verifier. The bound is finite because
 * an instance cut off from the database cannot see a rotation or retirement made meanwhile.
 * Public keys only: signing and verifying keep their MAX_STALE_SECONDS limit.
 */
export function jwksStaleIfErrorSeconds(accessTokenTtlSeconds: number): number {
  return Math.max(accessTokenTtlSeconds + MAX_STALE_SECONDS, JWKS_STALE_IF_ERROR_FLOOR_SECONDS);
}

interface KeyCache {
  loadedAt: number;
  keys: Map<string, LoadedKey>;
  active?: { kid: string; privateKey: KeyObject };
  /** Why the active private key could not be read, if it could not. */
  activeError?: unknown;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey | Uint8Array;
  retiredAt?: Date;
}

/**
 * The access-token key set, kept in PostgreSQL so that every instance signs and
 * verifies with the same keys and tokens survive restarts. Keys are cached in
 * memory for KEY_CACHE_SECONDS; an unknown kid triggers at most one reload per second.
 *
 * Tokens are signed and verified inside use-case transactions, which hold a pool connection
 * each. A reload needs another one, so while the keys are under MAX_STALE_SECONDS old signing
 * and verifying do not wait for a reload: a stale cache answers while one reload runs beside
 * it. The JWKS route (outside any transaction) waits for fresh keys, an unknown kid for one
 * reload at most once a second, and everything waits once the keys are older than that limit.
 *
 * The JWKS alone answers from the last keys read when a reload fails (the database is down),
 * for jwksStaleIfErrorSeconds after the last successful reload: while reloads keep failing it
 * answers at once, with one background reload a second at most, as signing does.
 */
export function createSigningKeys(deps: {
  em: EntityManager;
  encryption: FieldEncryption;
  clock: Clock;
  accessTokenTtlSeconds: number;
  /**
   * A reload failed; the stale keys stay in use up to MAX_STALE_SECONDS (the JWKS up to
   * jwksStaleIfErrorSeconds), retried once a second.
   */
  onReloadError?: (err: unknown) => void;
}) {
  const { encryption, clock } = deps;
  const jwksStaleMs = jwksStaleIfErrorSeconds(deps.accessTokenTtlSeconds) * 1000;
  let cache: KeyCache | undefined;
  let lastMissReload = 0;
  let lastReloadFailure = 0;
  /** The reload in flight, shared by every caller that asks meanwhile. */
  let loading: Promise<KeyCache> | undefined;
  /** Loads are numbered so that an older one finishing late never replaces a newer result. */
  let loadsStarted = 0;
  let newestApplied = 0;

  async function createKey(em: EntityManager, now: Date): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
      crv: 'Ed25519',
      extractable: true,
    });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
    const key = new SigningKey({
      kid,
      alg: SIGNING_ALG,
      publicJwk,
      privateJwkCiphertext: encryption.encrypt(JSON.stringify(privateJwk), PRIVATE_KEY_CONTEXT),
      now,
    });
    em.persist(key);
    return key;
  }

  /** Creates the first key unless one is active. Safe to run from several instances at once. */
  async function ensureActiveKey(): Promise<void> {
    await deps.em.fork().transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(?)', [KEY_LOCK_ID]);
      const active = await em.count(SigningKey, { retiredAt: null });
      if (active === 0) await createKey(em, clock.now());
    });
    // At boot: an instance that cannot read the signing key refuses to start.
    const loaded = await reload({ fresh: true });
    if (loaded.activeError) throw loaded.activeError;
  }

  /** Makes a new signing key and retires the previous ones; returns the new kid. */
  async function rotate(): Promise<string> {
    const kid = await deps.em.fork().transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(?)', [KEY_LOCK_ID]);
      const now = clock.now();
      await em.nativeUpdate(SigningKey, { retiredAt: null }, { retiredAt: now });
      return (await createKey(em, now)).kid;
    });
    await reload({ fresh: true });
    return kid;
  }

  /** Keys whose tokens may still be live: active ones and those retired less than a token lifetime ago. */
  function publishedSince(now: Date): Date {
    return new Date(now.getTime() - (deps.accessTokenTtlSeconds + KEY_CACHE_SECONDS) * 1000);
  }

  async function load(seq: number): Promise<KeyCache> {
    const now = clock.now();
    const rows = await deps.em
      .fork()
      .find(
        SigningKey,
        { $or: [{ retiredAt: null }, { retiredAt: { $gt: publishedSince(now) } }] },
        { orderBy: { createdAt: 'desc' } },
      );
    const keys = new Map<string, LoadedKey>();
    for (const row of rows) {
      const publicJwk = row.publicJwk as JWK;
      keys.set(row.kid, {
        kid: row.kid,
        publicJwk,
        publicKey: await importJWK(publicJwk, SIGNING_ALG),
        retiredAt: row.retiredAt,
      });
    }
    const activeRow = rows.find((r) => !r.retiredAt);
    // The public keys and retirements apply even when the private key cannot be read (it was
    // made under a field-encryption key this instance lacks): such an instance stops signing
    // rather than go on with a key the database has retired.
    let active: KeyCache['active'];
    let activeError: unknown;
    try {
      active = activeRow && {
        kid: activeRow.kid,
        privateKey: ed25519(
          createPrivateKey({
            key: JSON.parse(encryption.decrypt(activeRow.privateJwkCiphertext, PRIVATE_KEY_CONTEXT)),
            format: 'jwk',
          }),
        ),
      };
    } catch (err) {
      activeError = err;
    }
    const loaded: KeyCache = { loadedAt: now.getTime(), keys, active, activeError };
    if (seq > newestApplied) {
      newestApplied = seq;
      cache = loaded;
    }
    return loaded;
  }

  /** One reload at a time; `fresh` starts a new one after the one in flight (it may predate a change). */
  function reload(opts: { fresh?: boolean } = {}): Promise<KeyCache> {
    if (loading && !opts.fresh) return loading;
    const seq = ++loadsStarted;
    const started = (loading ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => load(seq))
      .finally(() => {
        if (loading === started) loading = undefined;
      });
    loading = started;
    return started;
  }

  const isStale = (c: KeyCache) => clock.now().getTime() - c.loadedAt > KEY_CACHE_SECONDS * 1000;

  function reloadFailed(err: unknown): void {
    lastReloadFailure = clock.now().getTime();
    deps.onReloadError?.(err);
  }

  /** Starts a reload beside the callers unless one runs or one failed less than a second ago. */
  function reloadInBackground(): void {
    if (loading || clock.now().getTime() - lastReloadFailure <= 1000) return;
    reload().catch(reloadFailed);
  }

  /** The cached keys without waiting when there are any; a stale cache starts a background reload. */
  async function cached(): Promise<KeyCache> {
    if (!cache) return reload();
    const nowMs = clock.now().getTime();
    // After a failed background reload (database down), one retry a second, not one per request.
    if (isStale(cache)) reloadInBackground();
    // Too old to use (an idle instance, or reloads failing): wait for a reload, or fail with it.
    if (nowMs - cache.loadedAt > MAX_STALE_SECONDS * 1000) return loading ?? reload();
    return cache;
  }

  /**
   * For the JWKS: keys no older than KEY_CACHE_SECONDS, waiting for a reload if need be; when the
   * reload fails, the last keys read while they are under jwksStaleIfErrorSeconds old.
   */
  async function publicKeys(): Promise<KeyCache> {
    if (cache && !isStale(cache)) return cache;
    const servable = (c: KeyCache | undefined): c is KeyCache =>
      !!c && clock.now().getTime() - c.loadedAt <= jwksStaleMs;
    // Reloads have failed since these keys were read: answer at once rather than wait on a
    // database that is down, retrying in the background once a second.
    if (servable(cache) && lastReloadFailure > cache.loadedAt) {
      reloadInBackground();
      return cache;
    }
    try {
      return await reload();
    } catch (err) {
      if (!servable(cache)) throw err;
      reloadFailed(err);
      return cache;
    }
  }

  return {
    ensureActiveKey,
    rotate,

    async signingKey(): Promise<{ kid: string; privateKey: KeyObject }> {
      const { active, activeError } = await cached();
      if (activeError) throw activeError;
      if (!active) throw new Error('no active signing key');
      return active;
    },

    /** The public key for a kid from our own key set, or undefined. */
    async verificationKey(kid: string): Promise<CryptoKey | Uint8Array | undefined> {
      let found = (await cached()).keys.get(kid);
      const nowMs = clock.now().getTime();
      if (!found && nowMs - lastMissReload > 1000) {
        lastMissReload = nowMs;
        found = (await reload({ fresh: true })).keys.get(kid);
      }
      if (found?.retiredAt && found.retiredAt < publishedSince(clock.now())) return undefined;
      return found?.publicKey;
    },

    async jwks(): Promise<{ keys: JWK[] }> {
      const since = publishedSince(clock.now());
      const keys = [...(await publicKeys()).keys.values()].filter((k) => !k.retiredAt || k.retiredAt > since);
      return { keys: keys.map((k) => k.publicJwk) };
    },
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
