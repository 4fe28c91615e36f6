// Schema migrations on a real PostgreSQL server: applied once however many instances start together.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { migrate, type Migration } from './migrate.js';
import { STORE_MIGRATIONS } from './store-schema.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('migrate');
});
after(async () => database.drop());

/** A pool whose tables live in a schema of their own, so that each test starts from nothing. */
async function poolIn(schema: string): Promise<pg.Pool> {
  const setup = new pg.Client({ connectionString: database.url });
  await setup.connect();
  await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await setup.end();
  return new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
}

test('three instances migrating at once apply each migration exactly once, and all see the same schema', async () => {
  const first = await poolIn('racing');
  const pools = [first, await poolIn('racing'), await poolIn('racing')];
  try {
    const reports = await Promise.all(pools.map((p) => migrate(p, STORE_MIGRATIONS)));
    const newest = STORE_MIGRATIONS.length;
    assert.deepEqual(reports.map((r) => r.version), [newest, newest, newest]);
    const applied = reports.flatMap((r) => r.applied);
    assert.deepEqual(applied.sort(), STORE_MIGRATIONS.map((m) => m.version), 'every version applied by one instance');
    assert.equal(reports.filter((r) => r.applied.length > 0).length, 1, 'the others waited on the lock and found nothing to do');
    const recorded = await pools[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(recorded.rows.map((r) => r.version), STORE_MIGRATIONS.map((m) => m.version));
    const tables = await pools[1]!.query<{ n: string }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'racing' AND table_name = 'findings'`);
    assert.equal(Number(tables.rows[0]!.n), 1);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('a later start applies only the migrations added since', async () => {
  const pool = await poolIn('growing');
  try {
    const first: Migration[] = [{ version: 1, name: 'one', statements: ['CREATE TABLE a (x int)'] }];
    assert.deepEqual(await migrate(pool, first), { applied: [1], version: 1 });
    const second = [...first, { version: 2, name: 'two', statements: ['CREATE TABLE b (x int)', 'INSERT INTO a VALUES (1)'] }];
    assert.deepEqual(await migrate(pool, second), { applied: [2], version: 2 });
    assert.deepEqual(await migrate(pool, second), { applied: [], version: 2 });
    assert.equal((await pool.query('SELECT count(*)::int AS n FROM a')).rows[0].n, 1, 'the data statement ran once');
  } finally {
    await pool.end();
  }
});

test('a failing migration leaves nothing behind and names itself; a schema newer than this Yagura is refused', async () => {
  const pool = await poolIn('failing');
  try {
    const broken: Migration[] = [
      { version: 1, name: 'fine', statements: ['CREATE TABLE fine (x int)'] },
      { version: 2, name: 'broken', statements: ['CREATE TABLE half (x int)', 'SELECT no_such_function()'] },
    ];
    await assert.rejects(migrate(pool, broken), (error: Error & { code?: string }) => error.code === 'STORE_MIGRATION_FAILED' && /migration 2 \(broken\)/.test(error.message));
    const left = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'failing' ORDER BY table_name`);
    assert.deepEqual(left.rows, [], 'the whole run rolled back, version 1 included');

    await migrate(pool, broken.slice(0, 1));
    await pool.query(`INSERT INTO schema_migrations (version, name) VALUES (7, 'from a newer Yagura')`);
    await assert.rejects(migrate(pool, broken.slice(0, 1)), (error: Error & { code?: string }) => error.code === 'STORE_SCHEMA_MISMATCH' && /version 7/.test(error.message));
  } finally {
    await pool.end();
  }
});
