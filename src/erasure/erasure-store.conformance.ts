// The behaviour every ErasureStore must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noErasureCounts, type ErasureJob } from './erasure-job.js';
import type { ErasureStore } from './erasure-store.js';

export interface ErasureStoreHandle {
  readonly erasures: ErasureStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-12-01T00:00:00Z');

function job(id: string, createdAt = T0): ErasureJob {
  return {
    id,
    status: 'running',
    phase: 'removing',
    target: { kind: 'query', query: { kind: 'bound', root: { kind: 'all' } }, from: T0 - 1000, to: T0 },
    reason: 'DSR-1',
    requestedBy: 'arn:yagura:iam:::user/alice',
    createdAt,
    updatedAt: createdAt,
    keys: 0,
    counts: noErasureCounts(),
  };
}

export function describeErasureStore(name: string, open: () => Promise<ErasureStoreHandle>): void {
  const withStore = (title: string, body: (erasures: ErasureStore) => Promise<void>): void => {
    test(title, async () => {
      const handle = await open();
      try {
        await body(handle.erasures);
      } finally {
        await handle.cleanup();
      }
    });
  };

  describe(`Erasure store conformance: ${name}`, () => {
    withStore('keeps a job and its progress, and lists the running ones oldest first', async (erasures) => {
      await erasures.create(job('er-b', T0 + 1));
      await erasures.create(job('er-a', T0));
      assert.deepEqual(await erasures.get('er-a'), job('er-a'));
      assert.equal(await erasures.get('er-none'), undefined);
      const counts = { ...noErasureCounts(), findings: 3, versions: 7 };
      await erasures.update('er-a', { phase: 'archive', counts, keys: 3, target: { kind: 'query', from: T0 - 1000, to: T0 }, updatedAt: T0 + 5 });
      const updated = await erasures.get('er-a');
      assert.equal(updated?.phase, 'archive');
      assert.deepEqual(updated?.counts, counts);
      assert.deepEqual(updated?.target, { kind: 'query', from: T0 - 1000, to: T0 }, 'the query is gone from the record');
      assert.equal(updated?.status, 'running', 'what an update does not name stays');
      assert.deepEqual((await erasures.running()).map((j) => j.id), ['er-a', 'er-b']);
      await erasures.update('er-a', { status: 'done', phase: 'done', keysDigest: 'ab'.repeat(32), finishedAt: T0 + 9, updatedAt: T0 + 9 });
      await erasures.update('er-b', { status: 'failed', error: 'the archive cannot be reached', updatedAt: T0 + 9 });
      assert.deepEqual(await erasures.running(), []);
      const done = await erasures.get('er-a');
      assert.deepEqual([done?.status, done?.keysDigest, done?.finishedAt], ['done', 'ab'.repeat(32), T0 + 9]);
      assert.equal((await erasures.get('er-b'))?.error, 'the archive cannot be reached');
    });

    withStore('counts each key digest of a job once, gives them back in byte order, and forgets them', async (erasures) => {
      await erasures.create(job('er-k'));
      await erasures.create(job('er-other'));
      const d = (byte: number): Buffer => Buffer.alloc(32, byte);
      assert.equal(await erasures.addKeys('er-k', [d(0xff), d(0x01)]), 2);
      assert.equal(await erasures.addKeys('er-k', [d(0x01), d(0x80)]), 3, 'a key selected again counts once');
      assert.equal(await erasures.addKeys('er-other', [d(0x01)]), 1);
      assert.deepEqual(await erasures.keyDigests('er-k'), [d(0x01), d(0x80), d(0xff)]);
      await erasures.dropKeys('er-k');
      assert.deepEqual(await erasures.keyDigests('er-k'), []);
      assert.deepEqual(await erasures.keyDigests('er-other'), [d(0x01)]);
    });

    withStore('keeps the first tombstone of an account', async (erasures) => {
      await erasures.addTombstone({ accountId: '222233334444', erasure: 'er-1', at: T0 });
      await erasures.addTombstone({ accountId: '111122223333', erasure: 'er-2', at: T0 + 1 });
      await erasures.addTombstone({ accountId: '222233334444', erasure: 'er-3', at: T0 + 2 });
      assert.deepEqual(await erasures.tombstones(), [
        { accountId: '111122223333', erasure: 'er-2', at: T0 + 1 },
        { accountId: '222233334444', erasure: 'er-1', at: T0 },
      ]);
    });
  });
}
