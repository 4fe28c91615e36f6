// Conformance: a finding's identity, its versions and history, redelivery and late arrival, archiving in Yagura.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { findingFromWire, findingsToWire } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { parseQuery } from '../../query/parser.js';
import { doc, f, KEY, T0 } from './fixtures.js';
import { storeTest, type StoreFactory } from './harness.js';

export function describeIdentity(open: StoreFactory): void {
  describe('identity, history, idempotency and out-of-order versions', () => {
    storeTest(open, 'stores a new finding with its document verbatim, unknown fields included', async (store) => {
      const first = f({ extra: { futureField: { nested: [1, 'two', null] }, type2026: 'x' } });
      const result = await store.upsert([first], T0);
      assert.deepEqual(result.outcomes, ['created']);
      const got = await store.get(KEY);
      assert.ok(got);
      assert.deepEqual(got.doc, first.doc);
      assert.deepEqual(got.derived, { band: 'Low', firstSeen: T0, lastSeen: T0, versions: 1, archived: false });
      assert.equal(got.history.length, 1);
    });

    storeTest(open, 'treats redelivery of the same version as a no-op, whatever the key order', async (store) => {
      await store.upsert([f()], T0);
      const reordered = normalizeFinding(Object.fromEntries(Object.entries(doc()).reverse()));
      assert.ok(reordered.ok);
      const again = await store.upsert([f(), reordered.finding], T0 + 1000);
      assert.deepEqual(again.outcomes, ['unchanged', 'unchanged']);
      assert.equal(again.archive.objects.length, 0);
      const got = await store.get(KEY);
      assert.equal(got?.derived.versions, 1);
      assert.equal(got?.derived.lastSeen, T0);
    });

    storeTest(open, 'replaces the current version with a newer one and keeps the old one in history', async (store) => {
      await store.upsert([f({ count: 1 })], T0);
      const r = await store.upsert([f({ count: 5, updatedAt: '2026-11-02T00:00:00.000Z', severity: 8 })], T0 + 1);
      assert.deepEqual(r.outcomes, ['updated']);
      const got = await store.get(KEY);
      assert.equal((got?.doc.service as { count: number }).count, 5);
      assert.equal(got?.derived.band, 'High');
      assert.deepEqual(got?.history.map((v) => v.count), [1, 5]);
      assert.equal(got?.derived.firstSeen, T0);
      assert.equal(got?.derived.lastSeen, T0 + 1);
    });

    storeTest(open, 'never lets an older version that arrives late overwrite a newer one', async (store) => {
      await store.upsert([f({ count: 9, updatedAt: '2026-11-03T00:00:00.000Z' })], T0);
      const r = await store.upsert([f({ count: 2, updatedAt: '2026-11-01T12:00:00.000Z' })], T0 + 1);
      assert.deepEqual(r.outcomes, ['history']);
      const got = await store.get(KEY);
      assert.equal((got?.doc.service as { count: number }).count, 9);
      assert.deepEqual(got?.history.map((v) => v.count), [2, 9]);
      assert.equal(got?.derived.versions, 2);
    });

    storeTest(open, 'ends in the same state whatever order the versions arrive in', async (store) => {
      const versions = [1, 2, 3, 4, 5].map((c) => f({ count: c, updatedAt: `2026-11-0${c}T00:00:00.000Z` }));
      const orders = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]];
      const states: unknown[] = [];
      for (const [n, order] of orders.entries()) {
        const id = `perm${n}`;
        for (const i of order) {
          const v = normalizeFinding({ ...versions[i]!.doc, id });
          assert.ok(v.ok);
          await store.upsert([v.finding], T0 + i);
          await store.upsert([v.finding], T0 + 100 + i); // and each one redelivered
        }
        const got = await store.get({ ...KEY, id });
        states.push({ count: (got?.doc.service as { count: number }).count, history: got?.history.map((h) => h.count), versions: got?.derived.versions });
      }
      for (const s of states) assert.deepEqual(s, { count: 5, history: [1, 2, 3, 4, 5], versions: 5 });
    });

    storeTest(open, 'handles several versions of one finding inside one batch', async (store) => {
      const r = await store.upsert([f({ count: 1 }), f({ count: 3, updatedAt: '2026-11-03T00:00:00.000Z' }), f({ count: 1 })], T0);
      assert.deepEqual(r.outcomes, ['created', 'updated', 'unchanged']);
    });

    storeTest(open, 'archives and unarchives a finding until a newer GuardDuty version says otherwise', async (store) => {
      await store.upsert([f({ id: 'z1' }), f({ id: 'z2' })], T0);
      const z1 = { ...KEY, id: 'z1' };
      assert.equal(await store.setArchived(z1, true, 'analyst', T0 + 1), true);
      assert.equal((await store.get(z1))?.derived.archived, true);
      const archivedIds = async (): Promise<string[]> => (await store.search({ query: parseQuery('archived:true'), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id);
      assert.deepEqual(await archivedIds(), ['z1']);
      assert.equal(await store.setArchived(z1, false, 'analyst', T0 + 2), true);
      assert.deepEqual(await archivedIds(), []);
      await store.setArchived(z1, true, 'analyst', T0 + 3);
      await store.upsert([f({ id: 'z1', count: 2, updatedAt: '2026-11-06T00:00:00.000Z' })], T0 + 4);
      assert.equal((await store.get(z1))?.derived.archived, false);
      assert.equal(await store.setArchived({ ...KEY, id: 'absent' }, true, 'analyst', T0), false);
    });

    storeTest(open, 'counts findings, not versions', async (store) => {
      await store.upsert([f({ id: 'n1' }), f({ id: 'n1', count: 2, updatedAt: '2026-11-05T00:00:00.000Z' }), f({ id: 'n2' })], T0);
      assert.equal(await store.count(), 2);
    });

    storeTest(open, 'stores and archives a document that arrives as UTF-8 bytes as the same text, and knows it again as text', async (store) => {
      const original = f({ id: 'bytes1', extra: { title: 'Zugriff verweigert 🛰️ café', note: 'line\nbreak "quoted"' } });
      const { wires, transfer } = findingsToWire([original]);
      const [received] = structuredClone(wires, { transfer }).map(findingFromWire);
      const result = await store.upsert([received!], T0, { sealArchive: true });
      assert.deepEqual(result.outcomes, ['created']);
      assert.deepEqual(result.archive.objects[0]!.lines, [received!.jsonBytes], 'the archive gets the bytes as they are');
      const got = await store.get(original.key);
      assert.deepEqual(got?.doc, original.doc);
      assert.equal(got?.json ?? JSON.stringify(got?.doc), original.json, 'the stored text is the text that came in');
      const byTitle = await store.search({ query: parseQuery('title:"Zugriff verweigert 🛰️ café"'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
      assert.deepEqual(byTitle.findings.map((r) => r.key.id), ['bytes1'], 'its fields are read from the stored text');
      const again = await store.upsert([f({ id: 'bytes1', extra: { title: 'Zugriff verweigert 🛰️ café', note: 'line\nbreak "quoted"' } })], T0 + 1);
      assert.deepEqual(again.outcomes, ['unchanged'], 'the same version as text is a redelivery');
    });
  });
}
