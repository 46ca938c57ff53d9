import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../../kernel/clock.js';

interface Window {
  consumed: number;
  endsAt: number;
}

/** How many operations pass between sweeps of ended windows. */
const SWEEP_EVERY = 1_000;

/**
 * The memory store's counters: per key, a window of `duration` seconds opened by its first
 * point, counted against `points`, in the time of the injected clock (so tests move time instead
 * of waiting). It answers like rate-limiter-flexible's limiters, for the three calls the budgets
 * use: a refused `consume` rejects with a RateLimiterRes carrying `msBeforeNext`.
 */
export class MemoryCounters {
  private readonly windows = new Map<string, Window>();
  private operations = 0;

  constructor(private readonly opts: { points: number; duration: number; clock: Clock }) {}

  /** Takes one point; rejects once the window's points are used up. */
  async consume(key: string): Promise<RateLimiterRes> {
    const { window, now } = this.add(key, 1);
    const remaining = Math.max(this.opts.points - window.consumed, 0);
    const res = new RateLimiterRes(remaining, window.endsAt - now, window.consumed, false);
    if (window.consumed > this.opts.points) throw res;
    return res;
  }

  /** The key's current window, or null when none is open. */
  async get(key: string): Promise<RateLimiterRes | null> {
    const now = this.opts.clock.now().getTime();
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now) return null;
    const remaining = Math.max(this.opts.points - window.consumed, 0);
    return new RateLimiterRes(remaining, window.endsAt - now, window.consumed, false);
  }

  /** Adds points without refusing (a failure counted after the fact). */
  async penalty(key: string, points = 1): Promise<RateLimiterRes> {
    const { window, now } = this.add(key, points);
    return new RateLimiterRes(
      Math.max(this.opts.points - window.consumed, 0),
      window.endsAt - now,
      window.consumed,
      false,
    );
  }

  private add(key: string, points: number): { window: Window; now: number } {
    const now = this.opts.clock.now().getTime();
    if (++this.operations % SWEEP_EVERY === 0) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { consumed: 0, endsAt: now + this.opts.duration * 1000 };
      this.windows.set(key, window);
    }
    window.consumed += points;
    return { window, now };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
