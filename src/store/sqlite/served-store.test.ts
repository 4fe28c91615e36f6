// Runs the store conformance suite on the store exactly as `yagura serve` opens it: the SQLite backend with reader
// threads, in-memory facets, background checkpoints and text merges (serverStoreOptions), with the facets choosing
// every page sorted by updatedAt they can.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { Keyring } from '../../auth/secrets/keyring.js';
import { configSchema } from '../../config/schema.js';
import { serverStoreOptions } from '../../main.js';
import { describeFindingStore } from '../finding-store.conformance.js';
import { openSqliteBackend } from './sqlite-backend.js';

const options = serverStoreOptions(configSchema.parse({}).search);
/** Reads the facets answered over the whole suite: none would mean it only ever exercised the SQL path. */
const answered = { aggregations: 0, totals: 0, pages: 0 };

describeFindingStore('SQLite as a server opens it (readers, facets, background checkpoints, text merges)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-served-'));
  // Every page the facets can choose, they choose (a server leaves pages a walk meets at once to the walk).
  const backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate(), ...options, pageChoice: 'facets' });
  // Once loaded the facets answer the suite's aggregations and totals; until then SQL does (the suite's store is empty).
  await backend.findings.facetsLoaded;
  return {
    store: backend.findings,
    async close(): Promise<void> {
      answered.aggregations += backend.findings.facetAnswers.aggregations;
      answered.totals += backend.findings.facetAnswers.totals;
      answered.pages += backend.findings.facetAnswers.pages;
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

after(() => {
  assert.ok(answered.aggregations > 0 && answered.totals > 0 && answered.pages > 0, `the facets answered ${JSON.stringify(answered)} of the suite's reads`);
});
