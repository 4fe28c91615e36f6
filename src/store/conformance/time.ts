// Conformance: times in KQL (a date-only value is its whole UTC day, relative times, times in the document) and
// the `from`/`to` window every read takes on `updatedAt`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQuery } from '../../query/parser.js';
import { f, T0 } from './fixtures.js';
import { storeTest, sharedStore, type StoreFactory } from './harness.js';
import { assertRejected, seedKqlCorpus, selector } from './kql-corpus.js';

const at = (iso: string): number => Date.parse(iso);

export function describeTime(open: StoreFactory): void {
  describe('times in KQL', () => {
    const store = sharedStore(open, seedKqlCorpus);
    const select = selector(store);

    test('a date-only value matches its whole UTC day', async () => {
      assert.deepEqual(await select('updatedAt:"2024-05-01"'), ['f1']);
      assert.deepEqual(await select('updatedAt:2023-12-31'), ['f3']);
      assert.deepEqual(await select('createdAt:2024-05-01'), ['f1']);
    });

    test('an exact time matches that millisecond', async () => {
      assert.deepEqual(await select('updatedAt:"2024-05-01T10:00:00Z"'), ['f1']);
      assert.deepEqual(await select('updatedAt:2024-05-01T12:00:00+02:00'), ['f1']);
      assert.deepEqual(await select(`updatedAt:${at('2024-05-02T12:30:00Z')}`), ['f4']);
      assert.deepEqual(await select('updatedAt:"2024-05-01T10:00:01Z"'), []);
    });

    test('time ranges treat a date-only bound as its whole day', async () => {
      assert.deepEqual(await select('updatedAt < "2024-01-01"'), ['f3']);
      assert.deepEqual(await select('updatedAt <= 2023-12-31'), ['f3']);
      assert.deepEqual(await select('updatedAt > 2024-05-01'), ['f2', 'f4']);
      assert.deepEqual(await select('updatedAt >= 2024-05-01'), ['f1', 'f2', 'f4']);
      assert.deepEqual(await select('updatedAt <= 2024-05-01'), ['f1', 'f3', 'f5']);
    });

    test('time ranges accept relative times resolved against now', async () => {
      assert.deepEqual(await select('updatedAt >= now-1d'), ['f2', 'f4']);
      assert.deepEqual(await select('updatedAt >= now-1h'), ['f2', 'f4']);
      assert.deepEqual(await select('updatedAt >= now-45m'), ['f4']);
      assert.deepEqual(await select('updatedAt:now/d'), ['f2', 'f4']);
      assert.deepEqual(await select('updatedAt > now-1d/d'), ['f2', 'f4']);
      assert.deepEqual(await select('createdAt >= now-7d'), ['f1']);
      assert.deepEqual(await select('firstSeen > 2024-05-02T12:00:00Z and firstSeen < 2024-05-02T12:01:00Z and lastSeen:now/d'), ['f2']);
    });

    test('a bad time for a time field is a query error naming the field and value', async () => {
      await assertRejected(store(), 'createdAt > yesterday', 'invalid time for createdAt: "yesterday" is not a time');
      await assertRejected(store(), 'updatedAt:2024-02-30', 'invalid time for updatedAt: "2024-02-30" is not a valid date');
    });

    test('ISO timestamps in the document compare as times in ranges', async () => {
      assert.deepEqual(await select('service.eventLastSeen >= 2024-05-02T11:00:00Z'), ['f2']);
      assert.deepEqual(await select('service.eventLastSeen < 2024-01-01'), ['f3']);
      assert.deepEqual(await select('service.eventLastSeen >= now-2h'), ['f2']);
      assert.deepEqual(await select('service.eventLastSeen:"2024-05-02T11:59:00.000Z"'), ['f2']);
    });
  });

  storeTest(open, 'a time window takes findings updated from its start, inclusive, to its end, exclusive, in searches and aggregations alike', async (store) => {
    const times = ['2026-11-01T00:00:00.000Z', '2026-11-01T00:59:59.999Z', '2026-11-01T01:00:00.000Z', '2026-11-01T01:00:00.001Z'];
    await store.upsert(times.map((updatedAt, i) => f({ id: `t${i}`, updatedAt })), T0);
    const window = async (from?: string, to?: string): Promise<string[]> => {
      const bounds = { ...(from !== undefined && { from: at(from) }), ...(to !== undefined && { to: at(to) }) };
      const page = await store.search({ query: parseQuery(''), ...bounds, size: 10, sort: { field: 'updatedAt', order: 'asc' } });
      const counted = await store.aggregate({ query: parseQuery(''), ...bounds, aggs: { n: { stats: { field: 'updatedAt' } } } });
      assert.equal(counted.total, page.total, 'the aggregation counts what the search finds');
      return page.findings.map((r) => r.key.id);
    };
    assert.deepEqual(await window('2026-11-01T00:00:00.000Z', '2026-11-01T01:00:00.000Z'), ['t0', 't1']);
    assert.deepEqual(await window('2026-11-01T01:00:00.000Z'), ['t2', 't3']);
    assert.deepEqual(await window(undefined, '2026-11-01T00:59:59.999Z'), ['t0']);
    assert.deepEqual(await window('2026-11-01T00:59:59.999Z', '2026-11-01T00:59:59.999Z'), []);
    assert.deepEqual(await window('2026-11-02T00:00:00.000Z', '2026-11-01T00:00:00.000Z'), [], 'a window that ends before it starts is empty');
    const inWindow = await store.search({ query: parseQuery('updatedAt >= 2026-11-01T00:30:00Z'), from: at('2026-11-01T00:00:00Z'), to: at('2026-11-01T01:00:00.001Z'), size: 10, sort: { field: 'updatedAt', order: 'asc' } });
    assert.deepEqual(inWindow.findings.map((r) => r.key.id), ['t1', 't2'], 'the window and a time in the query both apply');
  });
}
