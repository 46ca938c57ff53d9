import type { Redis } from 'ioredis';
import type { Logger } from '../../kernel/logger.js';

/**
 * A Redis client for the shared rate-limit counters. Commands never queue while
 * the connection is down and time out quickly, so a Redis outage turns into the
 * insurance limiter at once instead of stalled sign-ins. The client keeps
 * reconnecting in the background; only the error's code is logged, since the
 * message can carry the server's address. Every key starts with `keyPrefix`. The client library
 * is loaded only here, by processes that keep their counters in Redis (≈ 6 MiB otherwise unused).
 */
export async function createRedisClient(url: string, keyPrefix: string, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    // How long a closing socket may linger before it is destroyed. The default
    // (2 s) also holds the process open after Redis died, when the timer waits
    // on a socket that is already gone.
    disconnectTimeout: 250,
    lazyConnect: true,
  });
  let lastCode: string | undefined;
  client.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? err.name;
    // One line per kind of failure, not one per reconnection attempt.
    if (code !== lastCode)
      logger.warn({ redisError: code }, 'redis unavailable; rate limits fall back to this process');
    lastCode = code;
  });
  client.on('ready', () => {
    if (lastCode) logger.info('redis reachable again');
    lastCode = undefined;
  });
  // Not awaited: the service starts even when Redis is down, limiting per process until it is back.
  client.connect().catch(() => {});
  return client;
}

/** Closes the connection: politely when it is up, at once when it is not (or dies meanwhile). */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
