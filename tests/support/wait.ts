/**
 * Polls `check` until it holds; resolves with the milliseconds that took, or throws naming `what`
 * once `ms` have passed. For waiting on state, never for waiting out a window.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 20_000,
  everyMs = 10,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
