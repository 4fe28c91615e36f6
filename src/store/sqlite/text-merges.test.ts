// A server's free-text index is merged between commits, in slices; other writers leave merging to FTS5.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type Database from 'better-sqlite3';
import { finding } from '../../../test/fixtures/findings.js';
import { parseQuery } from '../../query/parser.js';
import { SqliteStore } from './sqlite-store.js';

function segments(db: Database.Database): number {
  return (db.prepare('SELECT count(DISTINCT segid) AS n FROM findings_text_idx').get() as { n: number }).n;
}

/**
 * Lets the merge timer fire once (mocked: the test, not the clock, decides when an interval has passed) and waits
 * until the slices it started stop: each slice awaits one turn of setImmediate, so a turn without a change is the end.
 */
async function oneInterval(t: TestContext, db: Database.Database): Promise<void> {
  const changes = db.prepare('SELECT total_changes()').pluck();
  t.mock.timers.tick(100);
  for (let before = -1; before !== changes.get();) {
    before = changes.get() as number;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function automerge(db: Database.Database): number | undefined {
  return (db.prepare(`SELECT v FROM findings_text_config WHERE k = 'automerge'`).get() as { v: number } | undefined)?.v;
}

test('with text merges, commits only add segments and a timer merges them in slices; a later writer restores merging in commits', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-text-merges-'));
  const file = path.join(dir, 'yagura.db');
  try {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const store = new SqliteStore({ file, textMerges: true });
    try {
      assert.equal(automerge(store.db), 0);
      // One finding per commit, as single events arrive (each adds a segment; FTS5 merges a level inside a commit
      // only in a crisis, at 16 segments); the timer cannot fire until the test ticks it.
      for (let i = 0; i < 15; i++) await store.upsert([finding({ id: `merge${i}`, title: `Zanzibar probe ${i}` })], Date.now());
      const before = segments(store.db);
      assert.equal(before, 15);
      for (let i = 0; i < 3 && segments(store.db) >= 8; i++) await oneInterval(t, store.db);
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

test('after a burst of large commits, slices catch up within an interval or two instead of one slice per interval', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-text-merges-'));
  try {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const store = new SqliteStore({ file: path.join(dir, 'yagura.db'), textMerges: true });
    try {
      // 15 commits of 200 findings with distinct words: merging their segments takes about seven 16-page slices.
      for (let c = 0; c < 15; c++) {
        await store.upsert(
          Array.from({ length: 200 }, (_, i) => finding({ id: `burst${c}-${i}`, title: `Zanzibar probe ${c * 1000 + i} word${(c * 7919 + i * 104729) % 100000}` })),
          Date.now(),
        );
      }
      assert.equal(segments(store.db), 15);
      // Three intervals: one slice per interval would have merged three slices' worth and left work behind.
      for (let i = 0; i < 3; i++) await oneInterval(t, store.db);
      const changes = store.db.prepare('SELECT total_changes()').pluck();
      const before = changes.get() as number;
      store.db.exec(`INSERT INTO findings_text (findings_text, rank) VALUES ('merge', 16)`);
      assert.equal((changes.get() as number) - before, 1, 'a further slice finds nothing left to merge');
      assert.ok(segments(store.db) <= 3, `${segments(store.db)} segments left`);
      const page = await store.search({ query: parseQuery('zanzibar'), size: 1, sort: { field: 'updatedAt', order: 'desc' } });
      assert.equal(page.total, 3_000);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a commit's free text reaches the index as one segment, even past FTS5's default 1 MiB of pending text", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-text-merges-'));
  try {
    const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    try {
      const hashsize = (store.db.prepare(`SELECT v FROM findings_text_config WHERE k = 'hashsize'`).get() as { v: number } | undefined)?.v;
      assert.equal(hashsize, 64 * 1024 * 1024);
      // 3,000 findings of 60 distinct words each: several MiB of pending index data, one commit.
      const batch = Array.from({ length: 3000 }, (_, i) =>
        finding({ id: `pending${i}`, title: Array.from({ length: 60 }, (_, k) => `w${i}x${k}`).join(' ') }),
      );
      await store.upsert(batch, Date.now());
      assert.equal(segments(store.db), 1, 'written out once, at the commit');
      const page = await store.search({ query: parseQuery('w2999x59'), size: 50, sort: { field: 'updatedAt', order: 'desc' } });
      assert.equal(page.total, 1);
      store.db.exec(`INSERT INTO findings_text (findings_text) VALUES ('integrity-check')`);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
