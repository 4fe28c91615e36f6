// Runs the store conformance suite on the store exactly as `yagura serve` opens it: through openEmbedded, with reader
// threads, in-memory facets, background checkpoints and text merges (serverStoreOptions).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { configSchema } from '../../config/schema.js';
import { openEmbedded, serverStoreOptions } from '../../main.js';
import { describeFindingStore } from '../finding-store.conformance.js';

const options = serverStoreOptions(configSchema.parse({}).search);
/** Reads the facets answered over the whole suite: none would mean it only ever exercised the SQL path. */
const answered = { aggregations: 0, totals: 0 };

describeFindingStore('SQLite as a server opens it (readers, facets, background checkpoints, text merges)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-served-'));
  const embedded = await openEmbedded(path.join(dir, 'data'), 'test', options);
  // Once loaded the facets answer the suite's aggregations and totals; until then SQL does (the suite's store is empty).
  await embedded.store.facetsLoaded;
  return {
    store: embedded.store,
    async close(): Promise<void> {
      answered.aggregations += embedded.store.facetAnswers.aggregations;
      answered.totals += embedded.store.facetAnswers.totals;
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

after(() => {
  assert.ok(answered.aggregations > 0 && answered.totals > 0, `the facets answered ${JSON.stringify(answered)} of the suite's reads`);
});
