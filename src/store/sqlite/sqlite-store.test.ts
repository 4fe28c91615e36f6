// Runs the store conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeFindingStore } from '../finding-store.conformance.js';
import { SqliteStore } from './sqlite-store.js';

describeFindingStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store,
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
