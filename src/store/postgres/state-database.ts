// Opens the pool of the server-state stores and brings their tables (state-schema.ts) up to date.
import type { PoolConfig } from 'pg';
import { PgDatabase } from './database.js';
import { migrate } from './migrate.js';
import { poolConfig, type StoreConfig } from './postgres-config.js';
import { PostgresStoreError } from './postgres-errors.js';
import { createPool } from './pool.js';
import { RETENTION_MIGRATIONS, RETENTION_PART } from './retention-store.js';
import { STATE_MIGRATIONS, STATE_PART } from './state-schema.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface StateDatabaseOptions {
  readonly config: StoreConfig;
  /** Keep the tables in this schema instead of the user's default (tests give each store its own). */
  readonly schema?: string;
  /** Errors of idle pooled connections (the server restarted…); the pool replaces them. */
  readonly onPoolError?: (error: Error) => void;
}

/** The pool options for `config`, its connections confined to `schema` when one is given. */
export function schemaPoolConfig(config: StoreConfig, schema: string | undefined, applicationName?: string): PoolConfig {
  const pool = poolConfig(config, applicationName);
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new PostgresStoreError('STORE_CONFIG_INVALID', `"${schema.slice(0, 80)}" is not a schema name`);
    pool.options = `${pool.options ?? ''} -c search_path=${schema}`.trim();
  }
  return pool;
}

/** Connects and migrates the state tables (once, whatever other instances start at the same time). */
export async function openStateDatabase(options: StateDatabaseOptions): Promise<PgDatabase> {
  const pool = createPool(schemaPoolConfig(options.config, options.schema, 'yagura-state'), options.onPoolError);
  try {
    await migrate(pool, STATE_MIGRATIONS, STATE_PART);
    await migrate(pool, RETENTION_MIGRATIONS, RETENTION_PART);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PgDatabase(pool, options.config.url);
}
