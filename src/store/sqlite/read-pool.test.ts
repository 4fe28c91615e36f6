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
    // Bulky documents make the document-path query below slow enough to time out.
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

test('a query past the time limit fails with QUERY_TIMEOUT and the next query is answered', async () => {
  const hasty = new SqliteStore({ file, readonly: true, readers: { size: 1, timeoutMs: 5 } });
  try {
    await assert.rejects(hasty.search(request('padding.v:*zzz*')), (e: unknown) => e instanceof QueryTimeoutError && e.code === 'QUERY_TIMEOUT');
  } finally {
    await hasty.close();
  }
  const patient = new SqliteStore({ file, readonly: true, readers: { size: 1, timeoutMs: 10_000 } });
  try {
    assert.equal((await patient.search(request('padding.v:*zzz*'))).total, 0);
  } finally {
    await patient.close();
  }
});

test('searches run in parallel with each other and the event loop stays free', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const results = await Promise.all(Array.from({ length: 4 }, () => pooled.search(request('padding.v:*zzz*'))));
    assert.ok(results.every((r) => r.total === 0));
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'timers ran while the queries did');
});

test('a search is not queued behind aggregations: they keep one reader free for searches', async () => {
  const slow = { query: parseQuery('padding.v:*zzz*'), aggs: { bands: { terms: { field: 'band' } } } };
  const finished: string[] = [];
  const aggregations = [1, 2, 3].map((n) => pooled.aggregate(slow).then(() => finished.push(`aggregation ${n}`)));
  const search = pooled.search(request('severity >= 7')).then(() => finished.push('search'));
  await Promise.all([...aggregations, search]);
  assert.equal(finished[0], 'search', `finished in this order: ${finished.join(', ')}`);
});

test('a queued read whose client went away leaves the queue; a running one finishes; the rest are answered', async () => {
  const slow = { query: parseQuery('padding.v:*zzz*'), aggs: { bands: { terms: { field: 'band' } } } };
  // Aggregations hold one of the two readers: the first runs, the other two wait.
  const running = new AbortController();
  const waiting = new AbortController();
  const first = pooled.aggregate(slow, { signal: running.signal });
  const dropped = pooled.aggregate(slow, { signal: waiting.signal });
  const kept = pooled.aggregate(slow);
  running.abort();
  waiting.abort();
  await assert.rejects(dropped, (e: Error) => e instanceof ReadAbortedError && (e as ReadAbortedError).code === 'CLIENT_CLOSED_REQUEST');
  const [ran, answered] = await Promise.all([first, kept]);
  assert.deepEqual(ran, answered, 'the running aggregation finished and the queued one after it was answered');
  await assert.rejects(pooled.search(request('*'), { signal: AbortSignal.abort() }), ReadAbortedError, 'an already aborted read never queues');
});
