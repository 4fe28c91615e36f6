// The pipeline acknowledges a batch once the store's commit is durable; an import's batch once its archive objects are in place too.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finding } from '../../test/fixtures/findings.js';
import { LocalArchive } from '../archive/local/local-archive.js';
import type { FindingStore, UpsertResult } from '../store/finding-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { IngestPipeline } from './pipeline.js';

/** Waits until `holds` is true; no deadline: a condition that never holds fails the test by its guard. */
async function until(holds: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await holds())) await sleep(5);
}

/** The objects of `accountId` still in the store's archive outbox. */
async function outboxOf(store: SqliteStore, accountId: string): Promise<number> {
  return (await store.outbox.objects()).filter((o) => o.accountId === accountId).length;
}

async function objects(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true }).catch(() => [])).filter((f) => f.endsWith('.jsonl.gz')).sort();
}

/** The real store, with the moment each commit becomes durable in the test's hands. */
function gate(store: SqliteStore): { gated: FindingStore; flushes: Array<{ settle: (error?: Error) => void }> } {
  const flushes: Array<{ settle: (error?: Error) => void }> = [];
  const gated = Object.create(store) as FindingStore;
  gated.upsert = async (findings, receivedAt, options): Promise<UpsertResult> => {
    const result = await store.upsert(findings, receivedAt, options);
    assert.ok(result.durable instanceof Promise, 'a store in a file commits first and fsyncs its WAL after');
    await result.durable;
    const durable = new Promise<void>((resolve, reject) => flushes.push({ settle: (error) => (error ? reject(error) : resolve()) }));
    durable.catch(() => undefined);
    return { ...result, durable };
  };
  return { gated, flushes };
}

test('an import batch is answered, and its archive object appears, only once the commit is durable; a failed flush is answered with an error', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-pipeline-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  const root = path.join(dir, 'archive');
  // The real store and archive; only the moment the store's commit becomes durable is in the test's hands.
  const gates = gate(store);
  const gated = gates.gated;
  const flushes = gates.flushes;
  const pipeline = new IngestPipeline({ store: gated, archiveEachBatch: new LocalArchive(root) });
  try {
    let answered = false;
    const first = pipeline.submit([finding({ id: 'durable1' })]).then((o) => ((answered = true), o));
    // The object is staged, the last step before the commit's flush settles (or, broken, already in place).
    await until(async () => (await readdir(path.join(root, '.staging')).catch(() => [])).length > 0 || (await objects(root)).length > 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false, 'not answered while the commit may still be lost');
    assert.deepEqual(await objects(root), [], 'no archive object before the commit is durable');
    flushes[0]!.settle();
    assert.deepEqual(await first, ['created']);
    assert.equal((await objects(root)).length, 1);

    flushes.length = 0;
    const failing = pipeline.submit([finding({ id: 'durable2' })]);
    await until(() => flushes.length > 0);
    flushes[0]!.settle(new Error('fsync failed'));
    await assert.rejects(failing, /fsync failed/);
    assert.equal((await objects(root)).length, 1, 'the failed batch left no object');

    // What the failed batch committed stays in the outbox, sealed, for the archiver to write.
    flushes.length = 0;
    const next = pipeline.submit([finding({ id: 'durable3' })]);
    await until(() => flushes.length > 0);
    flushes[0]!.settle();
    assert.deepEqual(await next, ['created']);
    assert.equal((await objects(root)).length, 2);
    const left = await store.outbox.objects();
    assert.equal(left.length, 1);
    assert.ok(left[0]!.sealedAt !== undefined, 'sealed: its lines are fixed');
  } finally {
    await pipeline.flush();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('an import batch is archived while the batch before it still waits for its flush, and answered after it', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-pipeline-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  const root = path.join(dir, 'archive');
  const { gated, flushes } = gate(store);
  const pipeline = new IngestPipeline({ store: gated, archiveEachBatch: new LocalArchive(root) });
  try {
    const answered: string[] = [];
    const first = pipeline.submit([finding({ id: 'side1' })]).then(() => answered.push('first'));
    await until(() => flushes.length >= 1);
    const second = pipeline.submit([finding({ id: 'side2', accountId: '222222222222' })]).then(() => answered.push('second'));
    await until(() => flushes.length >= 2);
    flushes[1]!.settle();
    // Archived and confirmed: only the batch committed ahead of it keeps it from being answered.
    await until(async () => (await outboxOf(store, '222222222222')) === 0);
    assert.equal((await objects(root)).length, 1, "the second batch's object is in place before the first batch's commit is durable");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(answered, [], 'but it is not answered before the batch committed ahead of it');
    flushes[0]!.settle();
    await Promise.all([first, second]);
    assert.deepEqual(answered, ['first', 'second'], 'answers keep commit order');
    assert.equal((await objects(root)).length, 2);
    assert.deepEqual(await store.outbox.objects(), []);
  } finally {
    await pipeline.flush();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a batch is answered once its commit is durable, with nothing written to the archive on the way', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-pipeline-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  const { gated, flushes } = gate(store);
  const pipeline = new IngestPipeline({ store: gated });
  try {
    let answered = false;
    const first = pipeline.submit([finding({ id: 'rolling1' })]).then((o) => ((answered = true), o));
    await until(() => flushes.length > 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false, 'not answered while the commit may still be lost');
    flushes[0]!.settle();
    assert.deepEqual(await first, ['created']);
    const open = await store.outbox.objects();
    assert.equal(open.length, 1, 'the version waits in the open object of its partition');
    assert.equal(open[0]!.sealedAt, undefined);

    flushes.length = 0;
    const failing = pipeline.submit([finding({ id: 'rolling2' })]);
    await until(() => flushes.length > 0);
    flushes[0]!.settle(new Error('fsync failed'));
    await assert.rejects(failing, /fsync failed/);
  } finally {
    await pipeline.flush();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
