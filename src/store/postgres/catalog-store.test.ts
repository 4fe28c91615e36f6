// Runs the CatalogStore conformance suite against PostgreSQL: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { describeCatalogStore } from '../../catalog/catalog-store.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresCatalogStore } from './catalog-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('catalog');
});
after(async () => database.drop());

describeCatalogStore('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'catalog');
  return { store: new PostgresCatalogStore(db), cleanup: close };
});
