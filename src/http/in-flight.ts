import type { RequestHandler } from 'express';

/**
 * Counts handlers still running. A client that gives up closes its socket, and
 * the HTTP server then counts the request as done while its handler is still
 * inside a transaction; shutdown waits on this count before closing the pool.
 */
export function createInFlight() {
  let running = 0;
  let waiters: (() => void)[] = [];

  return {
    track(handler: RequestHandler): RequestHandler {
      return async (req, res, next) => {
        running++;
        try {
          await handler(req, res, next);
        } finally {
          running--;
          if (running === 0) {
            for (const wake of waiters) wake();
            waiters = [];
          }
        }
      };
    },
    /** Resolves true once no handler runs, or false when `timeoutMs` passes first. */
    drained(timeoutMs: number): Promise<boolean> {
      if (running === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
