// The SQLite path index (finding_paths) as a schema migration: built for the findings a store already holds when
// it is opened, created empty for a new one. That a query on an indexed path selects exactly what json_tree
// selects is the conformance suite's (src/store/conformance/paths.ts: an indexed path against an unindexed one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { finding } from '../../../test/fixtures/findings.js';
import { parseQuery } from '../../query/parser.js';
import { migrate, PATH_INDEX_SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yagura-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('opening a store written before the path index indexes the findings it holds', async () => {
  const file = path.join(dir, 'v7.db');
  const writer = new SqliteStore({ file });
  await writer.upsert([finding({ id: 'old' })], Date.now());
  // Back to the schema before the index: its table gone, as a store of that version never had it.
  writer.db.exec('DROP TABLE finding_paths');
  writer.db.pragma(`user_version = ${PATH_INDEX_SCHEMA_VERSION - 1}`);
  await writer.close();
  const store = new SqliteStore({ file });
  try {
    const rows = store.db.prepare('SELECT count(*) FROM finding_paths').pluck().get() as number;
    assert.ok(rows > 0, 'the stored finding was indexed at open');
    const page = await store.search({ query: parseQuery('service.action.networkConnectionAction.remoteIpDetails.country.countryName:Netherlands'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.deepEqual(page.findings.map((f) => f.key.id), ['old']);
  } finally {
    await store.close();
  }
});

test('migrating an empty store creates the index without reading anything', () => {
  const db = new Database(':memory:');
  migrate(db);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'finding_paths_value'").pluck().get(), 1);
  db.close();
});
