// Runs the SourceStateStore conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSourceStateStore } from '../../ingest/source-state-store.conformance.js';
import { SqliteSourceStateStore } from './source-state-store.js';
import { SqliteStore } from './sqlite-store.js';

describeSourceStateStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-source-state-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store: new SqliteSourceStateStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
