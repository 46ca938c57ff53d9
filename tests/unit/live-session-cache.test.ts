import { createLiveSessionCache } from '../../src/identity/application/live-session-cache';

const entry = (status = 'ACTIVE') => ({
  userRow: { id: 'u1', status },
  sessionExpiresAt: new Date(Date.now() + 60_000),
});

function cacheFor(opts: { ttlMs?: number; maxEntries?: number } = {}) {
  let live = true;
  let now = 0;
  const cache = createLiveSessionCache({
    isLive: () => live,
    ttlMs: opts.ttlMs ?? 1000,
    maxEntries: opts.maxEntries ?? 100,
    now: () => now,
  });
  return {
    cache,
    setLive: (value: boolean) => {
      live = value;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('the live session cache', () => {
  it('serves what it stored, for that user only', () => {
    const { cache } = cacheFor();
    cache.store(cache.begin(), 's1', 'u1', entry());
    expect(cache.get('s1', 'u1')?.userRow.id).toBe('u1');
    expect(cache.get('s1', 'u2')).toBeUndefined();
    expect(cache.get('s2', 'u1')).toBeUndefined();
  });

  it('does not store a read that an invalidation of its session or user overtook, nor one read before a reset', () => {
    const { cache } = cacheFor();
    const bySession = cache.begin();
    cache.invalidate('s:s1');
    cache.store(bySession, 's1', 'u1', entry());
    expect(cache.get('s1', 'u1')).toBeUndefined();
    const byUser = cache.begin();
    cache.invalidate('u:u1');
    cache.store(byUser, 's1', 'u1', entry());
    expect(cache.get('s1', 'u1')).toBeUndefined();
    // Someone else's change does not keep this read out.
    const unrelated = cache.begin();
    cache.invalidate('s:another-session');
    cache.invalidate('u:another-user');
    cache.store(unrelated, 's1', 'u1', entry());
    expect(cache.get('s1', 'u1')).toBeDefined();
    // A read taken after the invalidation is fresh.
    cache.store(cache.begin(), 's2', 'u1', entry());
    expect(cache.get('s2', 'u1')).toBeDefined();
    const beforeReset = cache.begin();
    cache.reset();
    cache.store(beforeReset, 's3', 'u3', entry());
    expect(cache.size()).toBe(0);
    const beforeUnreadable = cache.begin();
    cache.invalidate('*');
    cache.store(beforeUnreadable, 's3', 'u3', entry());
    expect(cache.size()).toBe(0);
  });

  it('drops a session by its id, and every session of a user by the user id', () => {
    const { cache } = cacheFor();
    for (const [s, u] of [
      ['s1', 'u1'],
      ['s2', 'u1'],
      ['s3', 'u2'],
    ])
      cache.store(cache.begin(), s, u, entry());
    cache.invalidate('s:s3');
    expect(cache.get('s3', 'u2')).toBeUndefined();
    expect(cache.size()).toBe(2);
    cache.invalidate('u:u1');
    expect(cache.size()).toBe(0);
  });

  it('forgets everything on a notification it cannot read', () => {
    const { cache } = cacheFor();
    cache.store(cache.begin(), 's1', 'u1', entry());
    cache.invalidate('x:unknown');
    expect(cache.size()).toBe(0);
  });

  it('neither serves nor stores while the listener is not trusted', () => {
    const { cache, setLive } = cacheFor();
    cache.store(cache.begin(), 's1', 'u1', entry());
    setLive(false);
    expect(cache.get('s1', 'u1')).toBeUndefined();
    cache.store(cache.begin(), 's2', 'u1', entry());
    setLive(true);
    expect(cache.get('s2', 'u1')).toBeUndefined();
    expect(cache.get('s1', 'u1')).toBeDefined();
  });

  it('ages entries out and keeps at most maxEntries, the oldest going first', () => {
    const { cache, advance } = cacheFor({ ttlMs: 1000, maxEntries: 2 });
    cache.store(cache.begin(), 's1', 'u1', entry());
    advance(600);
    cache.store(cache.begin(), 's2', 'u2', entry());
    expect(cache.get('s1', 'u1')).toBeDefined();
    cache.store(cache.begin(), 's3', 'u3', entry());
    expect(cache.get('s1', 'u1')).toBeUndefined();
    expect(cache.size()).toBe(2);
    advance(500);
    expect(cache.get('s2', 'u2')).toBeDefined();
    advance(600);
    expect(cache.get('s2', 'u2')).toBeUndefined();
    expect(cache.get('s3', 'u3')).toBeUndefined();
  });
});
