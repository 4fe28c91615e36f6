// Alert routing reads account names and tags from the account catalog, and sees a change at once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../catalog/catalog.js';
import { SqliteCatalogStore } from '../store/sqlite/catalog-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { AccountCatalog, routeMatches } from './routing.js';

test('routes match the catalog tags of an account: configured tags seed them, a catalog change is seen at once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-routing-catalog-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  try {
    const catalog = await Catalog.open(new SqliteCatalogStore(store.db));
    await catalog.seed({ '111122223333': { name: 'prod-payments', tags: ['pci', 'env=prod'], group: 'payments' }, '444455556666': { tags: [] } });
    assert.deepEqual(catalog.account('111122223333')?.tags, { pci: '', env: 'prod' });
    assert.equal(catalog.account('111122223333')?.group, 'payments');
    assert.equal(catalog.account('444455556666')?.group, 'unassigned');
    const accounts = new AccountCatalog(catalog);
    const prod = { destination: 'd', accountTags: ['env=prod'] };
    assert.ok(routeMatches(prod, '111122223333', accounts));
    assert.ok(routeMatches({ destination: 'd', accountTags: ['pci'] }, '111122223333', accounts));
    assert.ok(!routeMatches({ destination: 'd', accountTags: ['env'] }, '111122223333', accounts), 'a bare key matches only the empty value');
    assert.ok(routeMatches({ destination: 'd', accountNames: ['prod-payments'] }, '111122223333', accounts));
    assert.ok(!routeMatches(prod, '444455556666', accounts));

    await catalog.putAccount({ accountId: '444455556666', group: 'unassigned', tags: { env: 'prod' } });
    await catalog.putAccount({ accountId: '111122223333', group: 'payments', tags: { env: 'dev' } });
    assert.ok(routeMatches(prod, '444455556666', accounts));
    assert.ok(!routeMatches(prod, '111122223333', accounts));
    assert.equal(accounts.nameOf('111122223333'), 'prod-payments', 'the name is kept when only tags are given');

    // Seeding again does not overwrite what the catalog now holds.
    await catalog.seed({ '111122223333': { name: 'other', tags: ['env=prod'] } });
    assert.equal(accounts.nameOf('111122223333'), 'prod-payments');
    const before = catalog.accountTags();
    assert.equal(catalog.accountTags(), before, 'the tags view is cached until the catalog changes');
    await catalog.putGroup('data', {});
    assert.notEqual(catalog.accountTags(), before);
    assert.deepEqual(catalog.accountTags().get('444455556666'), { env: 'prod' });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
