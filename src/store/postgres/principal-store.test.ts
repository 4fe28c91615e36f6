// Runs the PrincipalStore conformance suite against PostgreSQL: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { describePrincipalStore } from '../../auth/principals/principal-store.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresPrincipalStore } from './principal-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('principals');
});
after(async () => database.drop());

describePrincipalStore('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'principals');
  return { store: new PostgresPrincipalStore(db), cleanup: close };
});
