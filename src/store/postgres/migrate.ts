// Versioned schema migrations, applied under a transaction-scoped advisory lock: instances that start together
// queue on the lock, the first applies what is missing, the others find nothing left to do. A database holds
// several numbered lists (`part`s: the findings store's, the server state's), each versioned on its own in the
// one `schema_migrations` table, so each can grow without renumbering the other.
import type { Pool, PoolClient } from 'pg';
import { PostgresStoreError } from './postgres-errors.js';

/** The list the finding store migrates (the default part). */
export const FINDINGS_PART = 'findings';

const PART_NAME = /^[a-z][a-z0-9_]{0,30}$/;

/** One schema version: statements run in order, in the transaction that records the version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The advisory lock every migration takes (a constant of Yagura's: "yagura:migrate" as a 64-bit key), scoped to
 * the transaction so a crashed instance never leaves it held.
 */
export const MIGRATION_LOCK_KEY = 7_959_285_139_217_664_001n;

export interface MigrationReport {
  /** Versions this call applied, in order; empty when the schema was current. */
  readonly applied: readonly number[];
  /** The schema version after the call. */
  readonly version: number;
}

/**
 * Brings the `part` of the schema up to the last of `migrations` (which must be numbered 1, 2, 3…), all in one
 * transaction. Refuses a database whose part is newer than the newest migration known here (an older Yagura must
 * not write to it).
 */
export async function migrate(pool: Pool, migrations: readonly Migration[], part: string = FINDINGS_PART): Promise<MigrationReport> {
  if (!PART_NAME.test(part)) throw new Error(`"${part.slice(0, 40)}" is not a migration part name`);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      const report = await applyMissing(client, migrations, part);
      await client.query('COMMIT');
      return report;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

async function applyMissing(client: PoolClient, migrations: readonly Migration[], part: string): Promise<MigrationReport> {
  // Created under the lock, so two first starts cannot race on it.
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      part        text    NOT NULL DEFAULT '${FINDINGS_PART}',
      version     integer NOT NULL,
      name        text    NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (part, version)
    )`);
  const current = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations WHERE part = $1', [part])).rows[0]?.v ?? 0);
  const newest = migrations.length;
  if (current > newest) {
    throw new PostgresStoreError(
      'STORE_SCHEMA_MISMATCH',
      `the database's ${part} schema is version ${current}, newer than this Yagura knows (${newest}); run a Yagura at least as new as the one that migrated it`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    try {
      for (const statement of migration.statements) await client.query(statement);
    } catch (error) {
      throw new PostgresStoreError('STORE_MIGRATION_FAILED', `${part} schema migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
    await client.query('INSERT INTO schema_migrations (part, version, name) VALUES ($1, $2, $3)', [part, migration.version, migration.name]);
    applied.push(migration.version);
  }
  return { applied, version: Math.max(current, newest) };
}
