// Conformance: removing findings with every trace the store keeps, and the archive rewrites an erasure queues.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { FindingKey } from '../../findings/finding.js';
import { shortKeyDigest } from '../../findings/key-digest.js';
import { REMOVE_BATCH, type FindingStore } from '../finding-store.js';
import { f, T0 } from './fixtures.js';
import { storeTest, type StoreFactory } from './harness.js';

const GONE: FindingKey = { accountId: '111122223333', region: 'us-east-1', id: 'gone' };
const KEPT: FindingKey = { accountId: '111122223333', region: 'us-east-1', id: 'kept' };
const SORT = { field: 'updatedAt', order: 'desc' } as const;

async function ids(store: FindingStore, text: string): Promise<string[]> {
  const page = await store.search({ query: { kind: 'text', value: { text, quoted: false, wildcard: false } }, size: 50, sort: SORT });
  return page.findings.map((r) => r.key.id).sort();
}

/** Stores two versions of `gone` and one of `kept`, written to the archive (confirmed), then a third, unwritten version of `gone`. */
async function seed(store: FindingStore): Promise<void> {
  await store.upsert([f({ id: 'gone', ip: '203.0.113.77', extra: { title: 'zebrafish alpha' } }), f({ id: 'kept', ip: '198.51.100.9' })], T0);
  await store.setArchived(GONE, true, 'arn:yagura:iam:::user/alice', T0 + 1);
  await store.upsert([f({ id: 'gone', ip: '203.0.113.78', count: 2, updatedAt: '2026-11-02T00:00:00.000Z', extra: { title: 'zebrafish beta' } })], T0 + 2);
  const objects = await store.outbox.objects();
  await store.outbox.seal(objects.map((o) => o.id), T0 + 3);
  await store.outbox.confirm(objects.map((o) => o.id));
  await store.upsert([f({ id: 'gone', ip: '203.0.113.79', count: 3, updatedAt: '2026-11-03T00:00:00.000Z' })], T0 + 4);
}

export function describeRemoval(open: StoreFactory): void {
  describe('removal', () => {
    storeTest(open, 'removes a finding with every version, index entry, change, archive action and outbox entry, and leaves the others as they were', async (store) => {
      await seed(store);
      const keptBefore = await store.get(KEPT);
      const start = await store.lastChange();
      const counts = await store.remove([GONE]);
      assert.equal(counts.findings, 1);
      assert.equal(counts.versions, 3);
      assert.equal(counts.freeText, 1, 'the current free text');
      assert.ok(counts.documentValues > 0);
      assert.equal(counts.remoteParties, 1);
      // Created, then two updates; a store whose change log also records archive actions (shared stores) has one more.
      assert.ok(counts.changes === 3 || counts.changes === 4, `changes removed: ${counts.changes}`);
      assert.equal(counts.archiveActions, 1);
      assert.equal(counts.outbox, 1, 'the version not yet archived');
      assert.equal(counts.archiveObjects, 2, 'the written object and the one still in the outbox');

      assert.equal(await store.get(GONE), undefined);
      assert.equal(await store.count(), 1);
      assert.deepEqual(await ids(store, 'zebrafish'), []);
      assert.deepEqual(await ids(store, 'finding'), ['kept'], 'free text of the others still found');
      const byIp = await store.search({ query: { kind: 'match', field: 'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4', value: { text: '203.0.113.79', quoted: true, wildcard: false } }, size: 10, sort: SORT });
      assert.equal(byIp.total, 0, 'path values are gone');
      const parties = await store.aggregate({ query: { kind: 'all' }, aggs: { ips: { terms: { field: 'remoteIp', size: 10 } } } });
      assert.deepEqual(JSON.stringify(parties.aggregations), JSON.stringify({ ips: { buckets: [{ key: '198.51.100.9', doc_count: 1 }], sum_other_doc_count: 0 } }), 'remote parties are gone');
      assert.deepEqual(await store.matching({ kind: 'all' }, [GONE, KEPT]).then((r) => r.map((x) => x.key.id)), ['kept']);
      assert.ok((await store.changesSince(0, 100)).every((c) => c.record.key.id !== 'gone'));
      // A shared store logs the removal itself (the slot only) for other instances' facets: the head may move on.
      assert.ok(await store.lastChange() >= start, 'sequence numbers are not taken back');
      for (const o of await store.outbox.objects()) {
        for await (const part of store.outbox.lines(o)) for (const line of part) assert.ok(!Buffer.from(line).toString('utf8').includes('"gone"'));
      }
      assert.deepEqual(await store.get(KEPT), keptBefore, 'the other finding and its history are untouched');

      const purges = await store.archivePurges.pending(10);
      assert.equal(purges.length, 2);
      assert.deepEqual(purges.map((p) => p.inOutbox).sort(), [false, true]);
      for (const p of purges) assert.deepEqual(p.keys.map((k) => Buffer.from(k).toString('hex')), [shortKeyDigest(GONE).toString('hex')]);
      await store.archivePurges.done(purges[0]!);
      assert.equal((await store.archivePurges.pending(10)).length, 1, 'a purge done is forgotten');
    });

    storeTest(open, 'removing again, or a key never stored, removes nothing more; a finding stored again afterwards is new', async (store) => {
      await seed(store);
      await store.remove([GONE]);
      const again = await store.remove([GONE, { ...GONE, id: 'never' }]);
      assert.ok(Object.values(again).every((n) => n === 0), JSON.stringify(again));
      const r = await store.upsert([f({ id: 'gone' })], T0 + 10);
      assert.deepEqual(r.outcomes, ['created']);
      assert.equal((await store.get(GONE))?.history.length, 1);
    });

    storeTest(open, 'with the archive kept, queues no rewrite and still finds the archived lines for a later erasure', async (store) => {
      await seed(store);
      const kept = await store.remove([GONE], { archive: 'keep' });
      assert.equal(kept.archiveObjects, 0);
      assert.deepEqual(await store.archivePurges.pending(10), []);
      const erased = await store.remove([GONE]);
      assert.equal(erased.findings, 0);
      assert.equal(erased.archiveObjects, 1, 'the written object still holds its lines');
    });

    storeTest(open, 'removes more findings than a batch holds', async (store) => {
      const n = REMOVE_BATCH + 7;
      const findings = Array.from({ length: n }, (_, i) => f({ id: `m${i}` }));
      await store.upsert(findings, T0);
      await store.upsert([f({ id: 'stay' })], T0);
      const counts = await store.remove(findings.map((x) => x.key));
      assert.equal(counts.findings, n);
      assert.equal(counts.versions, n);
      assert.equal(await store.count(), 1);
      await store.scrub();
      assert.equal(await store.count(), 1);
    });
  });
}
