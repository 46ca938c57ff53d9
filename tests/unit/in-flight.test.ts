import type { Request, Response } from 'express';
import { createInFlight } from '../../src/http/in-flight';

/** A tracked handler that runs until `finish` is called. */
function aRunningHandler(inFlight: ReturnType<typeof createInFlight>) {
  let finish = () => {};
  const done = inFlight.track(() => new Promise<void>((resolve) => (finish = resolve)))(
    {} as Request,
    {} as Response,
    () => {},
  );
  return {
    finish() {
      finish();
      return done;
    },
  };
}

describe('in-flight handlers', () => {
  it('is drained at once with nothing running, and when the last handler ends', async () => {
    const inFlight = createInFlight();
    expect(await inFlight.drained(10)).toBe(true);
    const a = aRunningHandler(inFlight);
    const b = aRunningHandler(inFlight);
    const drained = inFlight.drained(5_000);
    await a.finish();
    expect(inFlight.waiting).toBe(1);
    await b.finish();
    expect(await drained).toBe(true);
  });

  it('forgets a waiter that timed out', async () => {
    const inFlight = createInFlight();
    const running = aRunningHandler(inFlight);
    for (let i = 0; i < 3; i++) expect(await inFlight.drained(5)).toBe(false);
    expect(inFlight.waiting).toBe(0);
    await running.finish();
  });
});
