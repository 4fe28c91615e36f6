// Runs the PrincipalStore conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describePrincipalStore } from '../../auth/principals/principal-store.conformance.js';
import { SqlitePrincipalStore } from './principal-store.js';
import { SqliteStore } from './sqlite-store.js';

describePrincipalStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-principal-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store: new SqlitePrincipalStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
