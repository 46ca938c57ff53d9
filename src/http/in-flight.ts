import type { RequestHandler } from 'express';

/**
 * Counts handlers still running. A client that gives up closes its socket, and
 * the HTTP server then counts the request as done while its handler is still
 * inside a transaction; shutdown waits on this count before closing the pool.
 */
export function createInFlight() {
  let running = 0;
  let waiters = new Set<() => void>();

  return {
    track(handler: RequestHandler): RequestHandler {
      return async (req, res, next) => {
        running++;
        try {
          await handler(req, res, next);
        } finally {
          running--;
          if (running === 0) {
            const woken = waiters;
            waiters = new Set();
            for (const wake of woken) wake();
          }
        }
      };
    },
    /** Waiters not yet woken or timed out. */
    get waiting(): number {
      return waiters.size;
    },
    /** Resolves true once no handler runs, or false when `timeoutMs` passes first. */
    drained(timeoutMs: number): Promise<boolean> {
      if (running === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(false);
        }, timeoutMs);
        waiters.add(wake);
      });
    },
  };
}
