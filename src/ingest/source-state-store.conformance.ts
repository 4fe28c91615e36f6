// The SourceStateStore contract, run against every backend (SQLite file, PostgreSQL).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SourceStateStore } from './source-state-store.js';

export interface SourceStateFixture {
  readonly store: SourceStateStore;
  cleanup(): Promise<void>;
}

export function describeSourceStateStore(name: string, open: () => Promise<SourceStateFixture>): void {
  const withStore = (fn: (store: SourceStateStore) => Promise<void>) => async (): Promise<void> => {
    const fixture = await open();
    try {
      await fn(fixture.store);
    } finally {
      await fixture.cleanup();
    }
  };
  const mark = (key: string, day: string, partition = '111122223333/us-east-1', etag = '"e1"', outcome = 'stored') => ({ key, day, partition, etag, outcome });

  describe(`SourceStateStore (${name})`, () => {
    test('has no checkpoint before anything is marked', withStore(async (store) => {
      assert.equal((await store.checkpoints('s3-export:b/')).size, 0);
      assert.equal((await store.marked('s3-export:b/', '111122223333/us-east-1', '2026/01/01')).size, 0);
    }));

    test('resumes each partition from its newest day marked, source by source', withStore(async (store) => {
      await store.mark('a', mark('k1', '2026/11/30'), 1);
      await store.mark('a', mark('k2', '2026/12/02'), 2);
      await store.mark('a', mark('k3', '2026/12/01'), 3);
      await store.mark('a', mark('k4', '2026/10/01', '444455556666/eu-west-1'), 4);
      await store.mark('b', mark('k5', '2027/01/01'), 5);
      assert.deepEqual([...(await store.checkpoints('a'))].sort(), [['111122223333/us-east-1', '2026/12/02'], ['444455556666/eu-west-1', '2026/10/01']]);
      assert.deepEqual([...(await store.checkpoints('b'))], [['111122223333/us-east-1', '2027/01/01']]);
    }));

    test('lists the objects marked from a day on, with their ETags, and a mark again replaces the ETag', withStore(async (store) => {
      await store.mark('a', mark('old', '2026/11/29'), 1);
      await store.mark('a', mark('k1', '2026/11/30'), 1);
      await store.mark('a', mark('k2', '2026/12/01', undefined, '"e2"', 'NOT_GZIP'), 2);
      await store.mark('a', mark('k1', '2026/11/30', undefined, '"e9"'), 3);
      assert.deepEqual([...(await store.marked('a', '111122223333/us-east-1', '2026/11/30'))].sort(), [['k1', '"e9"'], ['k2', '"e2"']]);
      assert.equal((await store.marked('a', '444455556666/eu-west-1', '2026/01/01')).size, 0);
    }));

    test('prunes the marks of a partition behind a day, and keeps its checkpoint', withStore(async (store) => {
      await store.mark('a', mark('k1', '2026/11/28'), 1);
      await store.mark('a', mark('k2', '2026/11/30'), 1);
      await store.mark('a', mark('k3', '2026/11/28', '444455556666/eu-west-1'), 1);
      assert.equal(await store.prune('a', '111122223333/us-east-1', '2026/11/30'), 1);
      assert.deepEqual([...(await store.marked('a', '111122223333/us-east-1', '2000/01/01'))], [['k2', '"e1"']]);
      assert.equal((await store.marked('a', '444455556666/eu-west-1', '2000/01/01')).size, 1);
      assert.equal((await store.checkpoints('a')).get('111122223333/us-east-1'), '2026/11/30');
    }));

    test('keeps parked messages newest first, a message parked again with its latest reason, and text as given', withStore(async (store) => {
      await store.park('q', { messageId: 'm1', body: 'not json', code: 'NOT_S3_NOTIFICATION', reason: 'the message is not JSON', at: 1 });
      await store.park('q', { messageId: 'm2', body: '{"Records":[]} ü\u2028', code: 'NOT_S3_NOTIFICATION', reason: 'no records', at: 2 });
      await store.park('q', { messageId: 'm1', body: 'not json', code: 'OBJECT_UNREADABLE', reason: 'received 5 times', at: 3 });
      await store.park('other', { messageId: 'm3', body: 'x', code: 'X', reason: 'y', at: 4 });
      const parked = await store.parked('q', 10);
      assert.deepEqual(parked.map((p) => [p.messageId, p.code, p.at]), [['m1', 'OBJECT_UNREADABLE', 3], ['m2', 'NOT_S3_NOTIFICATION', 2]]);
      assert.equal(parked[1]!.body, '{"Records":[]} ü\u2028');
      assert.equal((await store.parked('q', 1)).length, 1);
    }));
  });
}
