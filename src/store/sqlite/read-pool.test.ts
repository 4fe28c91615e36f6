import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { finding } from '../../../test/fixtures/findings.js';
import { QueryError } from '../../query/query-error.js';
import { parseQuery } from '../../query/parser.js';
import { AggregationError } from '../aggregation.js';
import { QueryTimeoutError, ReadAbortedError, type SearchRequest } from '../finding-store.js';
import { ReadPool } from './read-pool.js';
import { LazyRecord } from './rows.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yagura-readers-'));
const file = path.join(dir, 'yagura.db');
let writer: SqliteStore;
let pooled: SqliteStore;

before(async () => {
  writer = new SqliteStore({ file });
  const many = Array.from({ length: 400 }, (_, i) => finding({
    id: `f${i}`,
    severity: 1 + (i % 9),
    updatedAt: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60_000).toISOString(),
    extra: { padding: Array.from({ length: 300 }, (_, k) => ({ k, v: `value ${i} ${k}` })) },
  }));
  await writer.upsert(many, Date.now());
  pooled = new SqliteStore({ file, readonly: true, readers: { size: 2, timeoutMs: 10_000 } });
});

after(async () => {
  await pooled.close();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (q: string): SearchRequest => ({ query: parseQuery(q), size: 20, sort: { field: 'severity', order: 'desc' }, trackTotalUpTo: 10_000 });

test('reader threads answer searches and aggregations exactly as the writer connection does', async () => {
  for (const q of ['severity >= 7', 'not band:Low', '*']) {
    assert.deepEqual(await pooled.search(request(q)), await writer.search(request(q)));
  }
  const aggs = { query: parseQuery('*'), aggs: { bands: { terms: { field: 'band' } }, over: { date_histogram: { field: 'updatedAt', interval: '1h' } } } };
  assert.deepEqual(await pooled.aggregate(aggs), await writer.aggregate(aggs));
});

test('a page crosses from a reader thread with each document as its stored text, parsed when read', async () => {
  const page = await pooled.search(request('severity >= 7'));
  assert.ok(page.findings.length > 0);
  const stored = writer.db.prepare('SELECT v.doc FROM findings f JOIN finding_versions v ON v.seq = f.current WHERE f.id = ?').pluck();
  for (const f of page.findings) {
    assert.ok(f instanceof LazyRecord, 'revived after the structured clone');
    const text = stored.get(f.key.id) as string;
    assert.equal(f.json, text);
    assert.deepEqual(f.doc, JSON.parse(text));
    assert.equal(f.times?.updatedAt, Date.parse(f.doc.updatedAt as string));
  }
  const fromWriter = await writer.search(request('severity >= 7'));
  assert.deepEqual(page.findings.map((f) => f.doc), fromWriter.findings.map((f) => f.doc));
});

test('reader threads see a commit as soon as the writer made it', async () => {
  await writer.upsert([finding({ id: 'late', severity: 9.5, updatedAt: '2026-11-25T00:00:00.000Z' })], Date.now());
  const page = await pooled.search(request('band:Critical'));
  assert.ok(page.findings.some((f) => f.key.id === 'late'));
});

test('errors keep their code and position when they come back from a reader thread', async () => {
  const bad = { query: parseQuery('*'), aggs: { x: { terms: { field: 'nope' } } } };
  await assert.rejects(pooled.aggregate(bad), (e: unknown) => e instanceof AggregationError && /cannot be aggregated/.test(e.message));
  // Too many document-path conditions is found only when the query is compiled, inside the reader.
  const tooMany = Array.from({ length: 130 }, (_, i) => `a.b${i}:x`).join(' or ');
  await assert.rejects(pooled.search(request(tooMany)), (e: unknown) => e instanceof QueryError && e.code === 'INVALID_QUERY' && /document paths/.test(e.message));
});

/**
 * Held reads wait on the test, not the clock: a broken pool would leave one waiting forever, so the test fails after
 * this and its held pool is closed (see heldPool).
 */
const HANG_GUARD = { timeout: 60_000 };

/** Node 20 has Atomics.waitAsync; the project's TypeScript lib does not declare it. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> | string } }).waitAsync;

/** A pool whose readers hold each search or aggregation until the test lets that kind run (ReadPoolOptions.hold). */
function heldPool(
  aborted: AbortSignal,
  size: number,
  timeoutMs = 10_000,
): { pool: ReadPool; let(kind: 'search' | 'aggregate'): void; started(n: number): Promise<void>; readonly count: number } {
  const hold = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const held = new Int32Array(hold);
  const pool = new ReadPool({ file, size, timeoutMs, hold });
  // A test stopped by its guard never reaches its own close: its threads would keep the process alive.
  aborted.addEventListener('abort', () => void pool.close(), { once: true });
  return {
    pool,
    let(kind): void {
      const gate = kind === 'search' ? 0 : 1;
      Atomics.store(held, gate, 1);
      Atomics.notify(held, gate);
    },
    /** Settles once readers have taken `n` tasks, the event loop free all along. */
    async started(n): Promise<void> {
      for (let seen = Atomics.load(held, 2); seen < n; seen = Atomics.load(held, 2)) await waitAsync(held, 2, seen).value;
    },
    get count(): number {
      return Atomics.load(held, 2);
    },
  };
}

/** Any aggregation: the readers hold it for as long as a test needs. */
const slow = { query: parseQuery('*'), aggs: { bands: { terms: { field: 'band' } } } };

test('a query past the time limit fails with QUERY_TIMEOUT and the next query is answered', HANG_GUARD, async (t) => {
  // Held, the first search outlives any limit; the limit only has to leave the replacement thread time to start.
  const held = heldPool(t.signal, 1, 2_000);
  try {
    await assert.rejects(held.pool.search(request('*')), (e: unknown) => e instanceof QueryTimeoutError && e.code === 'QUERY_TIMEOUT');
    held.let('search');
    assert.equal((await held.pool.search(request('severity >= 7'))).total, (await writer.search(request('severity >= 7'))).total);
  } finally {
    await held.pool.close();
  }
});

test('searches run in parallel with each other and the event loop stays free', HANG_GUARD, async (t) => {
  const held = heldPool(t.signal, 2);
  try {
    const searches = [held.pool.search(request('*')), held.pool.search(request('*'))];
    // Both readers hold a search at once, and this thread went on awaiting meanwhile.
    await held.started(2);
    held.let('search');
    const results = await Promise.all(searches);
    const total = (await writer.search(request('*'))).total;
    assert.ok(total > 0 && results.every((r) => r.total === total));
  } finally {
    await held.pool.close();
  }
});

test('a search is not queued behind aggregations: they keep one reader free for searches', HANG_GUARD, async (t) => {
  const held = heldPool(t.signal, 2);
  try {
    const aggregations = [1, 2, 3].map(() => held.pool.aggregate(slow));
    await held.started(1);
    held.let('search');
    // Answered while every aggregation is still held: it did not wait for any of them.
    assert.ok((await held.pool.search(request('severity >= 7'))).total > 0);
    assert.equal(held.count, 2, 'one aggregation and the search ran; the other aggregations wait');
    held.let('aggregate');
    await Promise.all(aggregations);
  } finally {
    await held.pool.close();
  }
});

test('a queued read whose client went away leaves the queue and the rest are answered', HANG_GUARD, async (t) => {
  const held = heldPool(t.signal, 2);
  try {
    // Aggregations hold one of the two readers: the first runs, the other two wait.
    const first = held.pool.aggregate(slow);
    await held.started(1);
    const waiting = new AbortController();
    const dropped = held.pool.aggregate(slow, waiting.signal);
    const kept = held.pool.aggregate(slow);
    waiting.abort();
    await assert.rejects(dropped, (e: Error) => e instanceof ReadAbortedError && (e as ReadAbortedError).code === 'CLIENT_CLOSED_REQUEST');
    held.let('aggregate');
    const [ran, answered] = await Promise.all([first, kept]);
    assert.deepEqual(ran, answered, 'the running aggregation finished and the queued one after it was answered');
    assert.equal(held.count, 2, 'the dropped aggregation never reached a reader');
    await assert.rejects(held.pool.search(request('*'), undefined, AbortSignal.abort()), ReadAbortedError, 'an already aborted read never queues');
  } finally {
    await held.pool.close();
  }
});

test('a running read whose client went away stops at once and frees its reader for the next search', HANG_GUARD, async (t) => {
  // One reader: the next search can only be answered once the abandoned one has left it.
  const held = heldPool(t.signal, 1);
  try {
    const superseded = new AbortController();
    const running = held.pool.search(request('*'), undefined, superseded.signal);
    await held.started(1);
    superseded.abort();
    // Still held by the test: only stopping the thread ends it.
    await assert.rejects(running, (e: Error) => e instanceof ReadAbortedError);
    const next = held.pool.search(request('severity >= 7'));
    await held.started(2);
    held.let('search');
    assert.equal((await next).total, (await writer.search(request('severity >= 7'))).total);
    // An aggregation is stopped the same way, and a stopped reader does not count as a failing one.
    for (let i = 0; i < 8; i++) {
      const gone = new AbortController();
      const agg = held.pool.aggregate(slow, gone.signal);
      await held.started(3 + i);
      gone.abort();
      await assert.rejects(agg, ReadAbortedError);
    }
    assert.ok((await held.pool.search(request('*'))).total > 0, 'the pool still has its reader after many stops');
  } finally {
    await held.pool.close();
  }
});
