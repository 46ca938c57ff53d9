/**
 * Per instance: the live sessions recently authenticated here, each with its account's row, so
 * that a request with an access token needs no database read. PostgreSQL tells every instance of
 * each change that could end a session or alter an account (`s:<session id>`, `u:<user id>` on one
 * channel, from triggers, whatever wrote the change), and the entry goes.
 *
 * It fails closed: entries are served and stored only while the listener is known to be connected
 * (`isLive`); otherwise every request reads PostgreSQL. A read that raced an invalidation is not
 * stored: `begin()` takes a ticket (the count of invalidations) before the read, and `store`
 * refuses once its session or its user was invalidated after it, or everything was (a reset, an
 * unreadable notification). Entries also age out after `ttlMs`, and the first stored go first
 * beyond `maxEntries`.
 */
import type { AccountView } from './account-view.js';

/** The channel the database's triggers notify on (see the live_sessions migration). */
export const AUTH_CHANGES_CHANNEL = 'identity_auth_changes';

export interface CachedSession {
  /** The account's row as the authentication query reads it (eager columns). */
  userRow: Record<string, unknown>;
  sessionExpiresAt: Date;
  /** The account as `me` shows it, made from the row by the first request that needs it. */
  view?: AccountView;
}

export interface LiveSessionCache {
  /** A cached live session of this user, or undefined (also whenever the listener cannot be trusted). */
  get(sessionId: string, userId: string): CachedSession | undefined;
  /** The invalidation count, taken before the database read whose result may be stored. */
  begin(): number;
  store(ticket: number, sessionId: string, userId: string, entry: CachedSession): void;
  /** A change notification: `s:<session id>` or `u:<user id>`. */
  invalidate(payload: string): void;
  /** Forget everything (the listener reconnected or dropped). */
  reset(): void;
  size(): number;
}

export function createLiveSessionCache(opts: {
  isLive: () => boolean;
  ttlMs: number;
  maxEntries: number;
  /** Monotonic milliseconds (performance.now by default). */
  now?: () => number;
}): LiveSessionCache {
  const now = opts.now ?? (() => performance.now());
  const bySession = new Map<string, CachedSession & { userId: string; storedAt: number }>();
  const sessionsOfUser = new Map<string, Set<string>>();
  let invalidations = 0;
  /** When everything was last forgotten, and when each session (`s:`) or user (`u:`) last was. */
  let forgotAllAt = 0;
  const forgotAt = new Map<string, number>();
  const FORGOTTEN_KEPT = 10_000;

  function forgetAll(): void {
    invalidations += 1;
    forgotAllAt = invalidations;
    forgotAt.clear();
    bySession.clear();
    sessionsOfUser.clear();
  }

  function drop(sessionId: string): void {
    const entry = bySession.get(sessionId);
    if (!entry) return;
    bySession.delete(sessionId);
    const sessions = sessionsOfUser.get(entry.userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) sessionsOfUser.delete(entry.userId);
  }

  return {
    get(sessionId, userId) {
      if (!opts.isLive()) return undefined;
      const entry = bySession.get(sessionId);
      if (!entry || entry.userId !== userId) return undefined;
      if (now() - entry.storedAt > opts.ttlMs) {
        drop(sessionId);
        return undefined;
      }
      return entry;
    },
    begin: () => invalidations,
    store(ticket, sessionId, userId, entry) {
      if (!opts.isLive() || ticket < forgotAllAt) return;
      if ((forgotAt.get(`s:${sessionId}`) ?? 0) > ticket || (forgotAt.get(`u:${userId}`) ?? 0) > ticket)
        return;
      drop(sessionId);
      if (bySession.size >= opts.maxEntries) {
        const oldest = bySession.keys().next().value;
        if (oldest !== undefined) drop(oldest);
      }
      bySession.set(sessionId, { ...entry, userId, storedAt: now() });
      const sessions = sessionsOfUser.get(userId) ?? new Set<string>();
      sessions.add(sessionId);
      sessionsOfUser.set(userId, sessions);
    },
    invalidate(payload) {
      const id = payload.slice(2);
      const kind = payload.slice(0, 2);
      // Anything else is not ours to read: forget everything rather than guess.
      if ((kind !== 's:' && kind !== 'u:') || id === '') return forgetAll();
      // Beyond this many remembered keys, forgetting everything is the bounded, safe answer.
      if (forgotAt.size >= FORGOTTEN_KEPT) return forgetAll();
      invalidations += 1;
      forgotAt.set(payload, invalidations);
      if (kind === 's:') drop(id);
      else for (const sessionId of [...(sessionsOfUser.get(id) ?? [])]) drop(sessionId);
    },
    reset: forgetAll,
    size: () => bySession.size,
  };
}

/** A cache that never holds anything: every request reads the database. */
export const noSessionCache: LiveSessionCache = {
  get: () => undefined,
  begin: () => 0,
  store: () => {},
  invalidate: () => {},
  reset: () => {},
  size: () => 0,
};
