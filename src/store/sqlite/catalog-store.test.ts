// Runs the CatalogStore conformance suite against SQLite in a real database file, and what only SQLite can do:
// learn the accounts its findings already hold.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { describeCatalogStore } from '../../catalog/catalog-store.conformance.js';
import { Catalog } from '../../catalog/catalog.js';
import { SqliteCatalogStore } from './catalog-store.js';
import { SqliteStore } from './sqlite-store.js';

async function openFile(): Promise<{ store: SqliteStore; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-catalog-store-'));
  return { store: new SqliteStore({ file: path.join(dir, 'yagura.db') }), dir };
}

describeCatalogStore('SQLite file', async () => {
  const { store, dir } = await openFile();
  return {
    store: new SqliteCatalogStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('opening the catalog adds the accounts already in the findings to unassigned, and no others', async () => {
  const { store, dir } = await openFile();
  try {
    const insert = store.db.prepare(
      `INSERT INTO findings (account_id, region, id, type, severity, band, updated_at, count, archived, sample, first_seen, last_seen, versions, hash, received_at)
       VALUES (?, 'us-east-1', ?, 'Recon:EC2/PortProbeUnprotectedPort', 5, 2, 1, 1, 0, 0, 1, 1, 1, 'h', 1)`,
    );
    insert.run('111122223333', 'a');
    insert.run('111122223333', 'b');
    insert.run('444455556666', 'c');
    insert.run('not-an-account', 'd');
    const catalogStore = new SqliteCatalogStore(store.db);
    await catalogStore.putGroup('payments', {}, 1);
    await catalogStore.putAccount({ accountId: '444455556666', group: 'payments', name: 'pay' }, 1);
    const catalog = await Catalog.open(catalogStore);
    assert.deepEqual([...catalog.allAccounts().values()].map((a) => [a.accountId, a.group]), [['111122223333', 'unassigned'], ['444455556666', 'payments']]);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
