// Runs the retention pass suite against the SQLite backend in a real database file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Keyring } from '../auth/secrets/keyring.js';
import { openSqliteBackend } from '../store/sqlite/sqlite-backend.js';
import { describeRetentionPasses } from './retention-pass.conformance.js';
import { storeRemoval } from './store-removal.js';

describeRetentionPasses('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-retention-pass-'));
  const backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate() });
  return {
    backend,
    remove: storeRemoval(backend),
    async cleanup(): Promise<void> {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
