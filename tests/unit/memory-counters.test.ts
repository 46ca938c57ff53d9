import { RateLimiterRes } from 'rate-limiter-flexible';
import { MemoryCounters } from '../../src/adapters/rate-limits/memory-counters';
import { testClock } from '../support/clock';

describe('the memory store counts in the injected clock', () => {
  it('refuses past the budget until the window opened by the first point ends', async () => {
    const clock = testClock(new Date('2026-12-01T10:00:00Z'));
    const counters = new MemoryCounters({ points: 2, duration: 60, clock });
    await counters.consume('k');
    clock.advance(10);
    await counters.consume('k');
    clock.advance(10);
    const refused = await counters.consume('k').then(
      () => undefined,
      (res: unknown) => res,
    );
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBe(40_000);
    expect(await counters.get('other')).toBeNull();

    clock.advance(40);
    expect(await counters.get('k')).toBeNull();
    await expect(counters.consume('k')).resolves.toMatchObject({ consumedPoints: 1, remainingPoints: 1 });
  });

  it('adds a penalty without refusing, and reports it through get', async () => {
    const clock = testClock();
    const counters = new MemoryCounters({ points: 1, duration: 5, clock });
    await counters.penalty('k', 3);
    expect(await counters.get('k')).toMatchObject({
      consumedPoints: 3,
      remainingPoints: 0,
      msBeforeNext: 5000,
    });
    clock.advance(5);
    expect(await counters.get('k')).toBeNull();
  });
});
