// The behaviour every CatalogStore must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogStore } from './catalog-store.js';
import { UNASSIGNED_GROUP } from './names.js';

export interface CatalogStoreHandle {
  readonly store: CatalogStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');

async function rejects(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error: { code?: string }) => error.code === code);
}

export function describeCatalogStore(backend: string, open: () => Promise<CatalogStoreHandle>): void {
  describe(`CatalogStore conformance: ${backend}`, () => {
    const withStore = (name: string, body: (store: CatalogStore) => Promise<void>): void => {
      test(name, async () => {
        const handle = await open();
        try {
          await body(handle.store);
        } finally {
          await handle.cleanup();
        }
      });
    };

    withStore('holds the built-in unassigned group, which cannot be deleted', async (store) => {
      const group = await store.getGroup(UNASSIGNED_GROUP);
      assert.equal(group?.builtIn, true);
      await rejects(store.deleteGroup(UNASSIGNED_GROUP), 'BUILT_IN');
    });

    withStore('creates groups, replaces their tags, lists them by name in pages', async (store) => {
      for (const n of ['payments', 'data', 'web']) await store.putGroup(n, { bu: n }, T0);
      const changed = await store.putGroup('payments', { env: 'prod' }, T0 + 1);
      assert.deepEqual([changed.tags, changed.createdAt, changed.updatedAt], [{ env: 'prod' }, T0, T0 + 1]);
      const first = await store.listGroups({ limit: 2 });
      assert.deepEqual(first.items.map((g) => g.name), ['data', 'payments']);
      const second = await store.listGroups({ limit: 2, after: first.next! });
      assert.deepEqual(second.items.map((g) => g.name), [UNASSIGNED_GROUP, 'web']);
      assert.equal(second.next, undefined);
    });

    withStore('refuses bad names, account IDs and tags, saving nothing', async (store) => {
      const before = store.generation;
      await rejects(store.putGroup('Payments', {}, T0), 'INVALID_NAME');
      await rejects(store.putGroup('a/b', {}, T0), 'INVALID_NAME');
      await rejects(store.putGroup('x'.repeat(65), {}, T0), 'INVALID_NAME');
      await rejects(store.putGroup('ok', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])), T0), 'INVALID_TAGS');
      await rejects(store.putGroup('ok', { ['k'.repeat(129)]: 'v' }, T0), 'INVALID_TAGS');
      await rejects(store.putGroup('ok', { k: 'v'.repeat(257) }, T0), 'INVALID_TAGS');
      await rejects(store.putAccount({ accountId: '12345', group: UNASSIGNED_GROUP }, T0), 'INVALID_ACCOUNT_ID');
      await rejects(store.putAccount({ accountId: '111122223333', group: UNASSIGNED_GROUP, name: 'a\u0000b' }, T0), 'INVALID_ACCOUNT_NAME');
      await rejects(store.putAccount({ accountId: '111122223333', group: 'nowhere' }, T0), 'UNKNOWN_CATALOG_GROUP');
      assert.equal(await store.getGroup('ok'), undefined);
      assert.equal(await store.getAccount('111122223333'), undefined);
      assert.equal(store.generation, before);
    });

    withStore('moves an account between groups, keeping its name and tags unless new ones are given', async (store) => {
      await store.putGroup('payments', {}, T0);
      await store.putAccount({ accountId: '111122223333', group: UNASSIGNED_GROUP, name: 'prod-payments', tags: { env: 'prod' } }, T0);
      const moved = await store.putAccount({ accountId: '111122223333', group: 'payments' }, T0 + 1);
      assert.deepEqual([moved.group, moved.name, moved.tags, moved.createdAt], ['payments', 'prod-payments', { env: 'prod' }, T0]);
      const renamed = await store.putAccount({ accountId: '111122223333', group: 'payments', name: null, tags: {} }, T0 + 2);
      assert.deepEqual([renamed.name, renamed.tags], [null, {}]);
      assert.deepEqual((await store.listAccounts(UNASSIGNED_GROUP, { limit: 10 })).items, []);
      assert.deepEqual((await store.listAccounts('payments', { limit: 10 })).items.map((a) => a.accountId), ['111122223333']);
    });

    withStore('lists a group\'s accounts by ID in pages; an unknown group is not found', async (store) => {
      for (const id of ['333333333333', '111111111111', '222222222222']) await store.putAccount({ accountId: id, group: UNASSIGNED_GROUP }, T0);
      const first = await store.listAccounts(UNASSIGNED_GROUP, { limit: 2 });
      assert.deepEqual(first.items.map((a) => a.accountId), ['111111111111', '222222222222']);
      const second = await store.listAccounts(UNASSIGNED_GROUP, { limit: 2, after: first.next! });
      assert.deepEqual(second.items.map((a) => a.accountId), ['333333333333']);
      await rejects(store.listAccounts('ghost', { limit: 2 }), 'CATALOG_GROUP_NOT_FOUND');
    });

    withStore('deletes only an empty group', async (store) => {
      await store.putGroup('payments', {}, T0);
      await store.putAccount({ accountId: '111122223333', group: 'payments' }, T0);
      await rejects(store.deleteGroup('payments'), 'CATALOG_GROUP_NOT_EMPTY');
      await store.putAccount({ accountId: '111122223333', group: UNASSIGNED_GROUP }, T0);
      await store.deleteGroup('payments');
      assert.equal(await store.getGroup('payments'), undefined);
      await rejects(store.deleteGroup('payments'), 'CATALOG_GROUP_NOT_FOUND');
    });

    withStore('adds accounts seen in findings to unassigned once, leaving assigned ones where they are', async (store) => {
      await store.putGroup('payments', {}, T0);
      await store.putAccount({ accountId: '111122223333', group: 'payments', name: 'p' }, T0);
      const added = await store.addUnassigned(['111122223333', '444455556666', '444455556666', 'not-an-id'], T0);
      assert.deepEqual(added, ['444455556666']);
      assert.equal((await store.getAccount('111122223333'))?.group, 'payments');
      assert.equal((await store.getAccount('444455556666'))?.group, UNASSIGNED_GROUP);
      assert.deepEqual((await store.allAccounts()).map((a) => a.accountId), ['111122223333', '444455556666']);
    });

    withStore('keeps one resource policy: put replaces, delete removes, a second delete is not found', async (store) => {
      assert.equal(await store.getPolicy(), undefined);
      const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::user/a' }, Action: 'yagura:GetCatalogGroups', Resource: 'arn:yagura:catalog:::catalog' }] };
      await store.putPolicy(doc, T0);
      assert.deepEqual((await store.getPolicy())?.document, doc);
      const before = store.generation;
      await store.deletePolicy();
      assert.ok(store.generation > before);
      assert.equal(await store.getPolicy(), undefined);
      await rejects(store.deletePolicy(), 'CATALOG_POLICY_NOT_FOUND');
    });
  });
}
