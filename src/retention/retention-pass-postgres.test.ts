// Runs the retention pass suite against the PostgreSQL backend: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { Keyring } from '../auth/secrets/keyring.js';
import { openPostgresBackend } from '../store/postgres/postgres-backend.js';
import { storeConfigSchema } from '../store/postgres/postgres-config.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.js';
import { createSchema } from '../../test/support/postgres-state.js';
import { describeRetentionPasses } from './retention-pass.conformance.js';
import { storeRemoval } from './store-removal.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('retention_pass');
});
after(async () => database.drop());

describeRetentionPasses('PostgreSQL', async () => {
  const schema = await createSchema(database, 'retention');
  const backend = await openPostgresBackend({ config: storeConfigSchema.parse({ url: database.url, poolSize: 4 }), schema, secrets: Keyring.generate() });
  return { backend, remove: storeRemoval(backend), cleanup: () => backend.close() };
});
