// Runs the alert stores' conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeAlertStores } from '../../alerts/alert-stores.conformance.js';
import { sqliteAlertStores } from './alert-stores.js';
import { SqliteStore } from './sqlite-store.js';
import { Keyring } from '../../auth/secrets/keyring.js';

describeAlertStores('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-alert-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    alerts: sqliteAlertStores(store.db, Keyring.generate()),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
