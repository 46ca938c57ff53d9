import type { Clock } from '../../src/kernel/clock';

/** A clock that stands still until told to move. */
export function testClock(start = new Date()) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
    set(date: Date) {
      now = date.getTime();
    },
  } satisfies Clock & Record<string, unknown>;
}

export type TestClock = ReturnType<typeof testClock>;

/** Now, moved to the middle of its 30-second TOTP step, so that ±1 step is unambiguous. */
export const midTotpStep = () => new Date(Math.floor(Date.now() / 30_000) * 30_000 + 15_000);
