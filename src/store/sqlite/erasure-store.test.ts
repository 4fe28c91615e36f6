// Runs the erasure store's conformance suite against SQLite in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeErasureStore } from '../../erasure/erasure-store.conformance.js';
import { SqliteErasureStore } from './erasure-store.js';
import { openDatabase } from './sqlite-store.js';

describeErasureStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-erasures-'));
  const db = openDatabase(path.join(dir, 'yagura.db'));
  return {
    erasures: new SqliteErasureStore(db),
    async cleanup(): Promise<void> {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
