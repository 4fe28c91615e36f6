// Migration parts: the finding store's list and the server state's are versioned apart in one table, under one lock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { createSchema } from '../../../test/support/postgres-state.js';
import { migrate, type Migration } from './migrate.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('parts');
});
after(async () => database.drop());

const list = (prefix: string, n: number): Migration[] =>
  Array.from({ length: n }, (_, i) => ({ version: i + 1, name: `${prefix}${i + 1}`, statements: [`CREATE TABLE ${prefix}${i + 1} (x int)`] }));

test('each part grows on its own: adding to one neither renumbers nor refuses the other', async () => {
  const schema = await createSchema(database, 'parts');
  const pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
  try {
    assert.deepEqual(await migrate(pool, list('f', 1)), { applied: [1], version: 1 });
    assert.deepEqual(await migrate(pool, list('s', 2), 'state'), { applied: [1, 2], version: 2 });
    assert.deepEqual(await migrate(pool, list('f', 2)), { applied: [2], version: 2 }, 'the default part continues from its own version');
    assert.deepEqual(await migrate(pool, list('s', 2), 'state'), { applied: [], version: 2 });
    await assert.rejects(migrate(pool, list('s', 1), 'state'), (e: Error & { code?: string }) => e.code === 'STORE_SCHEMA_MISMATCH' && /state schema is version 2/.test(e.message));
    await assert.rejects(migrate(pool, [], 'Bad Part'), /not a migration part name/);
  } finally {
    await pool.end();
  }
});

test('instances migrating both parts at once apply each migration of each part once', async () => {
  const schema = await createSchema(database, 'racing');
  const pools = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` }));
  try {
    const reports = await Promise.all(pools.flatMap((p) => [migrate(p, list('f', 3)), migrate(p, list('s', 2), 'state')]));
    assert.deepEqual(reports.flatMap((r) => r.applied).sort(), [1, 1, 2, 2, 3]);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});
