// The behaviour every RetentionStore must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retentionPolicySchema } from './retention-policy.js';
import type { RetentionStore } from './retention-store.js';

export interface RetentionStoreHandle {
  readonly store: RetentionStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');
const ADMIN = 'arn:yagura:iam:::user/admin';

export function describeRetentionStore(backend: string, open: () => Promise<RetentionStoreHandle>): void {
  describe(`RetentionStore conformance: ${backend}`, () => {
    const withStore = (name: string, body: (store: RetentionStore) => Promise<void>): void => {
      test(name, async () => {
        const handle = await open();
        try {
          await body(handle.store);
        } finally {
          await handle.cleanup();
        }
      });
    };

    withStore('holds no policy until one is put, then the last one put', async (store) => {
      assert.equal(await store.getPolicy(), undefined);
      const first = retentionPolicySchema.parse({ default: { storeDays: 365 }, rules: [{ name: 'low', bands: ['Low'], storeDays: 90 }] });
      await store.putPolicy(first, ADMIN, T0);
      const second = retentionPolicySchema.parse({ default: { archiveDays: 2555 }, rules: [{ name: 'prod', groups: ['prod'], tags: ['env=prod'], storeDays: 400, archiveDays: 3000 }] });
      await store.putPolicy(second, 'arn:yagura:iam:::user/dpo', T0 + 5);
      assert.deepEqual(await store.getPolicy(), { policy: second, updatedBy: 'arn:yagura:iam:::user/dpo', updatedAt: T0 + 5 });
    });

    withStore('creates holds by query and by account, lists the active ones oldest first', async (store) => {
      await store.createHold({ id: 'h2', target: { accountId: '111122223333' }, reason: 'litigation 42', createdBy: ADMIN, createdAt: T0 + 2 });
      await store.createHold({ id: 'h1', target: { query: 'remoteIp:"198.51.100.7" and severity >= 7' }, reason: 'incident 7', createdBy: ADMIN, createdAt: T0 + 1 });
      const holds = await store.listHolds({ includeLifted: false });
      assert.deepEqual(holds, [
        { query: 'remoteIp:"198.51.100.7" and severity >= 7', id: 'h1', reason: 'incident 7', createdBy: ADMIN, createdAt: T0 + 1 },
        { accountId: '111122223333', id: 'h2', reason: 'litigation 42', createdBy: ADMIN, createdAt: T0 + 2 },
      ]);
      assert.equal(await store.countActiveHolds(), 2);
      assert.deepEqual(await store.getHold('h2'), holds[1]);
      assert.equal(await store.getHold('nope'), undefined);
    });

    withStore('lifts a hold once: it keeps who and when, leaves the active list and stays listed for the record', async (store) => {
      await store.createHold({ id: 'h1', target: { accountId: '111122223333' }, reason: 'r', createdBy: ADMIN, createdAt: T0 });
      const lifted = await store.liftHold('h1', 'arn:yagura:iam:::user/dpo', T0 + 10);
      assert.equal(lifted?.liftedAt, T0 + 10);
      assert.equal(lifted?.liftedBy, 'arn:yagura:iam:::user/dpo');
      const again = await store.liftHold('h1', ADMIN, T0 + 20);
      assert.deepEqual(again, lifted, 'lifting again changes nothing');
      assert.equal(await store.liftHold('missing', ADMIN, T0), undefined);
      assert.deepEqual(await store.listHolds({ includeLifted: false }), []);
      assert.equal(await store.countActiveHolds(), 0);
      assert.deepEqual((await store.listHolds({ includeLifted: true })).map((h) => h.id), ['h1']);
    });

    withStore('refuses a second hold with the same id, keeping the first', async (store) => {
      await store.createHold({ id: 'h1', target: { accountId: '111122223333' }, reason: 'first', createdBy: ADMIN, createdAt: T0 });
      await assert.rejects(store.createHold({ id: 'h1', target: { query: 'x' }, reason: 'second', createdBy: ADMIN, createdAt: T0 }));
      assert.equal((await store.getHold('h1'))?.reason, 'first');
    });
  });
}
