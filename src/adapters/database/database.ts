import type { Config } from '../../config/config.js';
import { ensureDatabase, startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'elcorp_identity';

/** DATABASE_URL when set; otherwise (development only) the embedded PostgreSQL under dataDir. */
export async function openDatabase(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  if (config.profile === 'production') throw new Error('DATABASE_URL is required in production');
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    log,
  });
  try {
    const url = await ensureDatabase(server.url, EMBEDDED_DATABASE);
    return { url, embedded: true, stop: server.stop };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
