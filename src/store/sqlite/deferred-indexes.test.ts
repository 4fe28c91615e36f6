// Bulk loading with deferred indexes: the store answers the same without them, and gets every one of them back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { finding } from '../../../test/fixtures/findings.js';
import { parseQuery } from '../../query/parser.js';
import { describeFindingStore } from '../finding-store.conformance.js';
import { SqliteStore } from './sqlite-store.js';

// Every behaviour of the store holds while its search indexes are deferred (queries scan instead).
describeFindingStore('SQLite file during a bulk load (search indexes deferred)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-deferred-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  assert.ok(store.deferIndexes() > 10);
  return {
    store,
    async close(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

function indexes(db: Database.Database): Array<{ name: string; sql: string | null }> {
  return db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name`).all() as Array<{ name: string; sql: string | null }>;
}

function deferredMeta(db: Database.Database): unknown {
  return db.prepare(`SELECT value FROM meta WHERE key = 'deferred_indexes'`).get();
}

const versions = Array.from({ length: 400 }, (_, i) =>
  finding({ id: `bulk${i % 250}`, accountId: String(100000000000 + ((i % 250) % 7)), severity: (i % 9) + 0.5, updatedAt: `2026-11-2${i < 250 ? 0 : 1}T08:00:00.000Z` }),
);

async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-deferred-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a bulk load drops only the search indexes and builds exactly the same ones again, consistent with the tables', () =>
  withFolder(async (dir) => {
    const reference = new SqliteStore({ file: path.join(dir, 'reference.db') });
    const expected = indexes(reference.db);
    await reference.close();

    const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    try {
      const dropped = store.deferIndexes();
      const during = indexes(store.db).map((i) => i.name);
      assert.equal(during.length, expected.length - dropped);
      for (const kept of ['sqlite_autoindex_findings_1', 'finding_versions_key', 'archive_outbox_object', 'archive_objects_open']) {
        assert.ok(during.includes(kept), `${kept} is kept: storing a version looks things up through it`);
      }
      assert.ok(!during.includes('findings_overview') && !during.includes('finding_remote_ips_time'));
      assert.equal(store.deferIndexes(), 0, 'a second call drops nothing more and keeps the list');

      await store.upsert(versions, Date.parse('2026-11-22T00:00:00Z'));
      const query = { query: parseQuery('severity >= 5 and accountId:100000000003'), size: 50, sort: { field: 'severity' as const, order: 'desc' as const } };
      const scanned = await store.search(query);

      assert.equal(store.finishBulkLoad(), dropped);
      assert.deepEqual(indexes(store.db), expected, 'the same names and definitions as a new store');
      assert.equal(deferredMeta(store.db), undefined);
      assert.deepEqual(store.db.pragma('integrity_check', { simple: true }), 'ok', 'every index entry matches its row');
      const indexed = await store.search(query);
      assert.deepEqual(indexed.findings.map((f) => f.key.id), scanned.findings.map((f) => f.key.id));
      assert.equal(indexed.total, scanned.total);
      assert.ok(indexed.total > 0);
      assert.equal(store.finishBulkLoad(), 0, 'nothing left to build');
    } finally {
      await store.close();
    }
  }));

test('a store whose import stopped before building its indexes builds them when it is opened next', () =>
  withFolder(async (dir) => {
    const file = path.join(dir, 'yagura.db');
    const store = new SqliteStore({ file });
    const expected = indexes(store.db);
    store.deferIndexes();
    await store.upsert(versions, Date.parse('2026-11-22T00:00:00Z'));
    // As if the process died here: the connection goes away without the indexes being built.
    store.db.close();

    const raw = new Database(file, { readonly: true });
    assert.ok(indexes(raw).length < expected.length);
    assert.notEqual(deferredMeta(raw), undefined);
    raw.close();

    const reopened = new SqliteStore({ file });
    try {
      assert.deepEqual(indexes(reopened.db), expected);
      assert.equal(deferredMeta(reopened.db), undefined);
      assert.equal(reopened.db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(await reopened.count(), 250);
    } finally {
      await reopened.close();
    }
  }));
