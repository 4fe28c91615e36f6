// Runs the store conformance suite against SQLite in a real database file, and checks SQLite-only behaviour.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { finding } from '../../../test/fixtures/findings.js';
import { findingFromWire, findingsToWire } from '../../findings/finding.js';
import { describeFindingStore } from '../finding-store.conformance.js';
import { SqliteStore } from './sqlite-store.js';

describeFindingStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store,
    async close(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('with background checkpoints, commits leave the WAL to a thread of its own that copies it into the database', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-checkpoint-'));
  const file = path.join(dir, 'yagura.db');
  // A first checkpoint a second after the thread starts: long after the commit below, so it cannot race it.
  const store = new SqliteStore({ file, backgroundCheckpoints: true, checkpointIntervalMs: 1_000 });
  try {
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits do not checkpoint');
    const before = statSync(file).size;
    await store.upsert(Array.from({ length: 300 }, (_, i) => finding({ id: `c${i}` })), Date.now());
    assert.equal(statSync(file).size, before, 'the commit itself did not checkpoint');
    // Until the thread's first checkpoint (the test's timeout stops a thread that never makes one).
    while (statSync(file).size === before) await new Promise((r) => setTimeout(r, 100));
    assert.ok(statSync(file).size > before, 'the checkpoint thread copied the WAL into the database');
    await store.close();
    assert.equal(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0, 0, 'closing stops the thread and leaves an empty WAL');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a checkpoint the thread reports as failed makes commits checkpoint again, so the WAL stays bounded', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-checkpoint-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db'), backgroundCheckpoints: true });
  try {
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0);
    // The thread posts this when wal_checkpoint throws (disk full, I/O error); provoking one for real needs a broken disk.
    const thread = (store as unknown as { checkpointer: Worker }).checkpointer;
    thread.emit('message', { error: 'disk I/O error' });
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a document that arrives as UTF-8 bytes is stored as text, so that JSON functions and full-text search read it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  try {
    const original = finding({ id: 'bytes1', title: 'Zugriff verweigert 🛰️ café', extra: { note: 'line\nbreak "quoted"' } });
    const { wires, transfer } = findingsToWire([original]);
    const [received] = structuredClone(wires, { transfer }).map(findingFromWire);
    await store.upsert([received!], Date.now(), { sealArchive: true });
    const row = store.db.prepare(`SELECT typeof(doc) AS type, doc, json_extract(doc, '$.title') AS title FROM finding_versions`).get() as Record<string, string>;
    assert.equal(row['type'], 'text', 'bound as a blob, stored as text');
    assert.equal(row['doc'], original.json);
    assert.equal(row['title'], 'Zugriff verweigert 🛰️ café');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
