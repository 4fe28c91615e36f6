// The server-state stores' tables in a schema of their own inside a test file's database (test/support/postgres.ts),
// so that every test starts from empty tables.
import pg from 'pg';
import type { PgDatabase } from '../../src/store/postgres/database.js';
import { storeConfigSchema } from '../../src/store/postgres/postgres-config.js';
import { openStateDatabase } from '../../src/store/postgres/state-database.js';
import type { TestDatabase } from './postgres.js';

let schemas = 0;

/** Creates `<prefix>_<n>` in the database. */
export async function createSchema(database: TestDatabase, prefix: string): Promise<string> {
  const schema = `${prefix}_${++schemas}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return schema;
}

/** A migrated state database in a new schema; `close` ends its pool. */
export async function openStateSchema(database: TestDatabase, prefix: string): Promise<{ db: PgDatabase; schema: string; close(): Promise<void> }> {
  const schema = await createSchema(database, prefix);
  const db = await openStateDatabase({ config: storeConfigSchema.parse({ url: database.url, poolSize: 3 }), schema });
  return { db, schema, close: () => db.pool.end() };
}
