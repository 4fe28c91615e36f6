// Runs the RetentionStore conformance suite against PostgreSQL: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { describeRetentionStore } from '../../retention/retention-store.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresRetentionStore } from './retention-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('retention');
});
after(async () => database.drop());

describeRetentionStore('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'retention');
  return { store: new PostgresRetentionStore(db), cleanup: close };
});
