import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { migrationsList } from '../../../migrations/index.js';
import type { FieldEncryption } from '../crypto/field-encryption.js';
import { EncryptedText } from './encrypted-text.type.js';

/** Per entity class name: the properties stored encrypted, with the context bound into each ciphertext. */
export type EncryptedColumns = Record<string, [property: string, context: string][]>;

export interface OrmOptions {
  url: string;
  /** Every entity class, listed: no folder scanning, so ts-node, swc and the build agree. */
  entities: NonNullable<Options['entities']>;
  encryptedColumns?: EncryptedColumns;
  /** Encrypts the encrypted columns; without it they cannot be read or written. */
  encryption?: FieldEncryption;
  poolMax?: number;
  /** Called with each SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

export function ormConfig(opts: OrmOptions): Options {
  return defineConfig({
    clientUrl: opts.url,
    entities: opts.entities,
    extensions: [Migrator],
    // Listed explicitly so the migrator never depends on file discovery.
    migrations: {
      migrationsList,
      path: 'migrations',
      pathTs: 'migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    // Tables managed outside the entities (rate-limiter-flexible's store).
    schemaGenerator: { skipTables: ['rate_limits'] },
    forceUtcTimezone: true,
    // Nullable columns read as undefined, matching the optional properties of the entities.
    forceUndefined: true,
    allowGlobalContext: false,
    pool: { min: 0, max: opts.poolMax ?? 10, idleTimeoutMillis: 10_000 },
    driverOptions: { connection: { connectionTimeoutMillis: 5_000 } },
    debug: opts.onQuery ? ['query'] : false,
    colors: false,
    logger: opts.onQuery ? (message) => opts.onQuery?.(message) : () => {},
    preferTs: false,
    discovery: {
      warnWhenNoEntities: true,
      onMetadata: (meta) => {
        for (const [property, context] of opts.encryptedColumns?.[meta.className] ?? []) {
          if (opts.encryption)
            meta.properties[property].customType = new EncryptedText(opts.encryption, context);
        }
      },
    },
  });
}

export const createOrm = (opts: OrmOptions) => MikroORM.init(ormConfig(opts));

export type Orm = MikroORM;

/** Applies pending migrations; returns the names applied. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** The connection pool at this moment (MikroORM → knex → tarn); zeros once the pool is closed. */
export function poolUsage(orm: Orm) {
  const client = orm.em.getConnection().getKnex().client as {
    pool?: Record<'numUsed' | 'numFree' | 'numPendingAcquires' | 'numPendingCreates', () => number>;
    config: { pool?: { max?: number } };
  };
  const pool = client.pool;
  return {
    used: pool?.numUsed() ?? 0,
    free: pool?.numFree() ?? 0,
    pendingAcquires: pool?.numPendingAcquires() ?? 0,
    pendingCreates: pool?.numPendingCreates() ?? 0,
    max: client.config.pool?.max ?? 0,
  };
}
