// A server's free-text index is merged between commits, in slices; other writers leave merging to FTS5.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { finding } from '../../../test/fixtures/findings.js';
import { parseQuery } from '../../query/parser.js';
import { SqliteStore } from './sqlite-store.js';

function segments(db: Database.Database): number {
  return (db.prepare('SELECT count(DISTINCT segid) AS n FROM findings_text_idx').get() as { n: number }).n;
}

function automerge(db: Database.Database): number | undefined {
  return (db.prepare(`SELECT v FROM findings_text_config WHERE k = 'automerge'`).get() as { v: number } | undefined)?.v;
}

test('with text merges, commits only add segments and a timer merges them in slices; a later writer restores merging in commits', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-text-merges-'));
  const file = path.join(dir, 'yagura.db');
  try {
    const store = new SqliteStore({ file, textMerges: true });
    try {
      assert.equal(automerge(store.db), 0);
      // One finding per commit, as single events arrive (each adds a segment; FTS5 merges a level inside a commit
      // only in a crisis, at 16 segments); no timer can run between these awaits.
      for (let i = 0; i < 15; i++) await store.upsert([finding({ id: `merge${i}`, title: `Zanzibar probe ${i}` })], Date.now());
      const before = segments(store.db);
      assert.equal(before, 15);
      const deadline = Date.now() + 5_000;
      while (segments(store.db) >= 8 && Date.now() < deadline) await sleep(50);
      assert.ok(segments(store.db) < 8, `slices merged them between commits (${before} → ${segments(store.db)})`);
      const page = await store.search({ query: parseQuery('zanzibar'), size: 50, sort: { field: 'updatedAt', order: 'desc' } });
      assert.equal(page.total, 15, 'every finding is still found by its words');
    } finally {
      await store.close();
    }
    const later = new SqliteStore({ file });
    try {
      assert.equal(automerge(later.db), 4, 'an import or CLI verb merges inside its commits again');
      // FTS5's own consistency check of the merged index (throws if it is corrupt).
      later.db.exec(`INSERT INTO findings_text (findings_text) VALUES ('integrity-check')`);
    } finally {
      await later.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
