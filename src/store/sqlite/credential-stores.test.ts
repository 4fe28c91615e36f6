// Runs the credential stores' conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeCredentialStores } from '../../auth/credential-stores.conformance.js';
import { SqliteRoleMapStore } from './directory-role-map-store.js';
import { SqliteRoleSessionStore } from './role-session-store.js';
import { SqliteSessionRepository } from './session-repository.js';
import { SqliteSigningKeyStore } from './signing-key-store.js';
import { SqliteStore } from './sqlite-store.js';

describeCredentialStores('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-credential-stores-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    sessions: new SqliteSessionRepository(store.db),
    roleSessions: new SqliteRoleSessionStore(store.db),
    signingKeys: new SqliteSigningKeyStore(store.db),
    roleMap: new SqliteRoleMapStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
