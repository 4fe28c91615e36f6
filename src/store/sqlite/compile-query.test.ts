// What only SQLite's compilation of KQL shows: the SQL text and its parameters, the one FTS5 query built from
// several free-text terms, and document paths spelled as json_tree reports them. What queries select is the
// conformance suite's (src/store/conformance/), run on SQLite by sqlite-store.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { parseQuery } from '../../query/parser.js';
import { compileQuery, registerQueryFunctions } from './compile-query.js';
import { documentPath, stripArrayIndexes } from './fields.js';
import { migrate } from './schema.js';

function openDatabase(): Database.Database {
  const db = new Database(':memory:');
  migrate(db);
  registerQueryFunctions(db);
  return db;
}

const db = openDatabase();

test('the empty query compiles to a condition that is always true', () => {
  assert.deepEqual(compileQuery({ kind: 'all' }), { sql: '1', params: [] });
});

test('user values travel only as parameters', () => {
  const { sql, params } = compileQuery(parseQuery('type:"x\' OR 1=1" and resource.tags.value:evil and "free text"'));
  assert.ok(!sql.includes('OR 1=1') && !sql.includes('evil') && !sql.includes('free'), sql);
  assert.ok(params.includes("x' OR 1=1") && params.includes('evil'));
});

test('several free-text terms of one and/or are searched with one FTS5 query of quoted strings', () => {
  assert.deepEqual(compileQuery(parseQuery('a b* "c d"')).params, ['("a") AND ("b" *) AND ("c d")']);
  assert.deepEqual(compileQuery(parseQuery('a or b or a')).params, ['("a") OR ("b")']);
});

test('array indexes are stripped from json_tree keys, but not from inside quoted keys', () => {
  assert.equal(stripArrayIndexes('$.a[0].b[12][3]'), '$.a.b');
  assert.equal(stripArrayIndexes('$."a[0]"[1].b'), '$."a[0]".b');
  assert.equal(stripArrayIndexes(String.raw`$."q\"[1]"[2]`), String.raw`$."q\"[1]"`);
  assert.equal(stripArrayIndexes('$.plain.key'), '$.plain.key');
  assert.equal((db.prepare(`SELECT yg_strip_index('$.a[0].b') AS k`).get() as { k: string }).k, '$.a.b');
});

test('document paths are spelled the way SQLite reports them', () => {
  assert.deepEqual(documentPath('service.action.x1'.split('.')), { root: '$.service', key: '$.service.action.x1' });
  assert.deepEqual(documentPath('a-b.c_d.@t.1a.é'.split('.')), { root: '$."a-b"', key: '$."a-b"."c_d"."@t"."1a"."é"' });
  const doc = JSON.stringify({ 'a-b': { c_d: { '@t': { '1a': { é: [true] } } } } });
  const keys = db.prepare(`SELECT yg_strip_index(fullkey) AS k FROM json_tree(?, ?) WHERE atom IS NOT NULL`).all(doc, '$."a-b"') as Array<{ k: string }>;
  assert.deepEqual(keys.map((r) => r.k), ['$."a-b"."c_d"."@t"."1a"."é"']);
});
