import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports';

/**
 * A TCP relay in front of a server (PostgreSQL): the service connects through it, and `cut()`
 * plays an outage as the service sees one (its open connections drop, new ones are refused)
 * while the server itself stays up for every other test; `restore()` ends the outage.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let stalled = false;
  /** Milliseconds each chunk waits before it is passed on (same wait for all: order is kept). */
  let lagMs = 0;
  const relay = (to: Socket, chunk: Buffer) => {
    if (stalled) return;
    if (lagMs === 0) to.write(chunk);
    else setTimeout(() => to.destroyed || to.write(chunk), lagMs);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        // Relayed by hand rather than piped, so that stall() can hold every byte back.
        client.on('data', (chunk: Buffer) => relay(upstream, chunk));
        upstream.on('data', (chunk: Buffer) => relay(client, chunk));
        client.on('end', () => upstream.end());
        upstream.on('end', () => client.end());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    port,
    /** `url` with its host and port replaced by the relay's. */
    through(url: string): string {
      const relayed = new URL(url);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      return relayed.toString();
    },
    async cut(): Promise<void> {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    },
    async restore(): Promise<void> {
      stalled = false;
      if (!server) await listen();
    },
    /**
     * A silent network: connections stay open but nothing gets through either way (what a dead
     * route or a frozen server looks like from the client, which notices nothing until a timeout).
     * What is sent meanwhile is dropped, so cut() before restore(): those connections are unusable.
     */
    stall(): void {
      stalled = true;
    },
    /** A slow network: every byte arrives `ms` late, in order. */
    lag(ms: number): void {
      lagMs = ms;
    },
    async close(): Promise<void> {
      await this.cut();
    },
  };
}
