// Runs the SourceStateStore conformance suite against PostgreSQL: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { describeSourceStateStore } from '../../ingest/source-state-store.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresSourceStateStore } from './source-state-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('source_state');
});
after(async () => database.drop());

describeSourceStateStore('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'source_state');
  return { store: new PostgresSourceStateStore(db), cleanup: close };
});
