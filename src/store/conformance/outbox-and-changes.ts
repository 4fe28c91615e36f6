// Conformance: the archive outbox and the change log, both written in the transaction that stores the versions.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { f, KEY, T0 } from './fixtures.js';
import { storeTest, type StoreFactory } from './harness.js';

export function describeOutboxAndChanges(open: StoreFactory): void {
  describe('archive outbox and change log', () => {
    storeTest(open, 'puts each new version in the open archive object of its account, region and day until it is sealed and confirmed', async (store) => {
      const first = await store.upsert([f({ id: 'a' }), f({ id: 'b' }), f({ id: 'c', region: 'eu-west-1' })], T0);
      assert.deepEqual(first.archive.objects, [], 'rolling objects are not handed back with the commit');
      await store.upsert([f({ id: 'd' }), f({ id: 'a' })], T0 + 1000);
      const open = await store.outbox.objects();
      const parts = open.map((o) => `${o.accountId}/${o.region}/${o.day}:${o.lines}`).sort();
      assert.deepEqual(parts, ['111122223333/eu-west-1/2026/11/10:1', '111122223333/us-east-1/2026/11/10:3'], 'a redelivery adds no line');
      assert.ok(open.every((o) => o.sealedAt === undefined && o.openedAt === T0 && o.bytes > 0));

      const usEast = open.find((o) => o.region === 'us-east-1')!;
      await store.outbox.seal([usEast.id], T0 + 2000);
      const read = async (): Promise<Uint8Array[]> => {
        const lines: Uint8Array[] = [];
        for await (const part of store.outbox.lines(usEast)) lines.push(...part);
        return lines;
      };
      const lines = await read();
      assert.deepEqual(lines.map((l) => (JSON.parse(Buffer.from(l).toString('utf8')) as { id: string }).id), ['a', 'b', 'd'], 'lines in commit order');
      assert.deepEqual(await read(), lines, 'the same lines every time');

      await store.upsert([f({ id: 'e' })], T0 + 3000);
      const after = await store.outbox.objects();
      assert.equal(after.length, 3, 'a version stored after the seal opens a new object');
      const next = after.find((o) => o.region === 'us-east-1' && o.id !== usEast.id)!;
      assert.notEqual(next.name, usEast.name);
      assert.equal(next.lines, 1);

      await store.outbox.confirm([usEast.id]);
      assert.deepEqual((await store.outbox.objects()).map((o) => o.id).sort(), after.filter((o) => o.id !== usEast.id).map((o) => o.id).sort());
    });

    storeTest(open, 'seals an import batch in its own objects and hands their lines back with the commit', async (store) => {
      await store.upsert([f({ id: 'open1' })], T0);
      const r = await store.upsert([f({ id: 'a' }), f({ id: 'b' }), f({ id: 'c', region: 'eu-west-1' })], T0, { sealArchive: true });
      const parts = r.archive.objects.map((o) => `${o.accountId}/${o.region}/${o.day}:${o.lines.length}`).sort();
      assert.deepEqual(parts, ['111122223333/eu-west-1/2026/11/10:1', '111122223333/us-east-1/2026/11/10:2']);
      const recorded = await store.outbox.objects();
      assert.equal(recorded.length, 3);
      assert.equal(recorded.filter((o) => o.sealedAt !== undefined).length, 2, 'the open object is left as it was');
      await store.outbox.confirm(r.archive.objects.map((o) => o.id));
      assert.deepEqual((await store.outbox.objects()).map((o) => o.lines), [1]);
    });

    storeTest(open, 'logs every new and updated version in commit order, with the band and count it replaced', async (store) => {
      const start = await store.lastChange();
      await store.upsert([f({ severity: 5, count: 1 })], T0);
      await store.upsert([f({ severity: 5, count: 1 })], T0 + 1); // redelivery: not logged
      await store.upsert([f({ severity: 8, count: 4, updatedAt: '2026-11-02T00:00:00.000Z' })], T0 + 2);
      await store.upsert([f({ severity: 2, count: 2, updatedAt: '2026-11-01T12:00:00.000Z' })], T0 + 3); // older: history only
      const changes = await store.changesSince(start, 100);
      assert.deepEqual(
        changes.map((c) => [c.outcome, c.band, c.previousBand, c.count, c.previousCount, c.at]),
        [
          ['created', 'Medium', undefined, 1, undefined, T0],
          ['updated', 'High', 'Medium', 4, 1, T0 + 2],
        ],
      );
      assert.ok(changes[0]!.seq < changes[1]!.seq);
      assert.deepEqual(changes[1]!.record.key, KEY);
      assert.equal(changes[1]!.record.derived.band, 'High');
      assert.equal(await store.lastChange(), changes[1]!.seq);
    });

    storeTest(open, 'reads the change log in pages after a cursor', async (store) => {
      await store.upsert([1, 2, 3, 4, 5].map((n) => f({ id: `p${n}` })), T0);
      const first = await store.changesSince(0, 2);
      const rest = await store.changesSince(first[1]!.seq, 100);
      assert.deepEqual([...first, ...rest].map((c) => c.record.key.id), ['p1', 'p2', 'p3', 'p4', 'p5']);
    });

    storeTest(open, 'prunes the change log up to a cursor and never reuses a sequence number', async (store) => {
      await store.upsert([f({ id: 'x1' }), f({ id: 'x2' })], T0);
      const all = await store.changesSince(0, 100);
      assert.equal(await store.pruneChanges(all[1]!.seq, 1), 1, 'at most the limit');
      assert.deepEqual((await store.changesSince(0, 100)).map((c) => c.seq), [all[1]!.seq], 'the oldest first');
      assert.equal(await store.pruneChanges(all[1]!.seq, 100), 1);
      assert.deepEqual(await store.changesSince(0, 100), []);
      assert.equal(await store.lastChange(), all[1]!.seq, 'the last number survives pruning');
      await store.upsert([f({ id: 'x3' })], T0 + 1);
      const after = await store.changesSince(all[1]!.seq, 100);
      assert.deepEqual(after.map((c) => c.record.key.id), ['x3']);
      assert.ok(after[0]!.seq > all[1]!.seq);
    });
  });
}
