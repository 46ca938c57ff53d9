import { log } from './server.js';

interface Resource {
  name: string;
  stop(): Promise<void>;
  /** Last resort from the process 'exit' handler, where nothing asynchronous runs any more. */
  stopSync(): void;
}

/**
 * What the run has started (server, database), released in reverse order on success, failure or
 * a signal. A resource stays listed until its stop() has finished, so an exit in the middle of
 * the cleanup still kills the server and removes the data directory synchronously.
 */
export class Cleanup {
  private readonly resources: Resource[] = [];
  private running?: Promise<void>;

  constructor() {
    process.on('exit', () => {
      for (const r of [...this.resources].reverse()) {
        try {
          r.stopSync();
        } catch {
          // exiting anyway
        }
      }
    });
  }

  add(resource: Resource): void {
    this.resources.push(resource);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const r of [...this.resources].reverse()) {
        try {
          await withTimeout(r.stop(), 30_000, `stopping ${r.name}`);
          this.resources.splice(this.resources.indexOf(r), 1);
        } catch (err) {
          log(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
