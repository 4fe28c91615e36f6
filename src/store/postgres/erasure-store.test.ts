// Runs the erasure store's conformance suite against PostgreSQL, a schema per test.
import { after, before } from 'node:test';
import { describeErasureStore } from '../../erasure/erasure-store.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresErasureStore } from './erasure-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('erasures');
});
after(async () => database.drop());

describeErasureStore('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'erasures');
  return { erasures: new PostgresErasureStore(db), cleanup: close };
});
