import type { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { loadMigrations, migrationNames } from '../../../migrations/index.js';
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
    // The migrator is registered on first use (migratorOf): a migrated server never loads it.
    migrations: {
      tableName: MIGRATIONS_TABLE,
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

/** Where the migrator records the migrations it applied. */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

const migrators = new WeakMap<MikroORM, Promise<Migrator>>();

/**
 * The migrator, loaded and registered on first use, with every migration listed explicitly (it
 * never depends on file discovery). The migration library and the migrations' classes are a few
 * MiB a running server does not need once its database is migrated.
 */
export function migratorOf(orm: Orm): Promise<Migrator> {
  let migrator = migrators.get(orm);
  if (!migrator) {
    migrator = (async () => {
      const { Migrator } = await import('@mikro-orm/migrations');
      const migrationsList = loadMigrations();
      orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList });
      Migrator.register(orm);
      return orm.getMigrator() as Migrator;
    })();
    migrators.set(orm, migrator);
  }
  return migrator;
}

/**
 * The migrations this code knows that the database has not applied, read from the migrator's
 * own table without loading the migrator (start-up checks and /readyz ask this often).
 */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  const [table]: { name: string | null }[] = await orm.em
    .getConnection()
    .execute(`select to_regclass('${MIGRATIONS_TABLE}')::text as name`);
  if (!table?.name) return [...migrationNames];
  const rows: { name: string }[] = await orm.em
    .getConnection()
    .execute(`select name from ${MIGRATIONS_TABLE}`);
  const applied = new Set(rows.map((r) => r.name));
  return migrationNames.filter((name) => !applied.has(name));
}

export type Orm = MikroORM;

/** Applies pending migrations; returns the names applied. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const applied = await (await migratorOf(orm)).up();
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
