// Runs the RetentionStore conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRetentionStore } from '../../retention/retention-store.conformance.js';
import { SqliteRetentionStore } from './retention-store.js';
import { SqliteStore } from './sqlite-store.js';

describeRetentionStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-retention-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store: new SqliteRetentionStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
