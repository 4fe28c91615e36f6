// Runs the credential stores' conformance suite against PostgreSQL: one database for this file, a schema per test.
import { after, before } from 'node:test';
import { describeCredentialStores } from '../../auth/credential-stores.conformance.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresRoleMapStore } from './role-map-store.js';
import { PostgresRoleSessionStore } from './role-session-store.js';
import { PostgresSessionRepository } from './session-repository.js';
import { PostgresSigningKeyStore } from './signing-key-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('credentials');
});
after(async () => database.drop());

describeCredentialStores('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'credentials');
  return {
    sessions: new PostgresSessionRepository(db),
    roleSessions: new PostgresRoleSessionStore(db),
    signingKeys: new PostgresSigningKeyStore(db),
    roleMap: new PostgresRoleMapStore(db),
    cleanup: close,
  };
});
