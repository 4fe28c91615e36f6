// Retention as the server wires it (buildRetention): one pass of the enforcer on a served store with a fake clock
// removes the expired findings from the store and the archive, keeps held ones, and counts it all in the metrics.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { archiveLines } from '../../src/archive/stored-objects.js';
import { configSchema } from '../../src/config/schema.js';
import { normalizeFinding } from '../../src/findings/normalize.js';
import { buildRetention, openEmbedded } from '../../src/main.js';
import { Metrics } from '../../src/metrics/metrics.js';
import type { RetentionClock } from '../../src/retention/retention-clock.js';
import { findingDoc } from '../fixtures/findings.js';

const DAY = 86_400_000;

test('the enforcer removes what has passed its retention in the store and the archive, keeps what a hold keeps, and counts it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-retention-enforcement-'));
  const embedded = await openEmbedded(path.join(dir, 'data'), 'test', { readers: { size: 1, timeoutMs: 30_000 }, facets: true });
  try {
    const received = Date.now() - 500 * DAY;
    const docs = [
      findingDoc({ id: 'old-1', severity: 2, updatedAt: new Date(received).toISOString() }),
      findingDoc({ id: 'old-2', severity: 2, updatedAt: new Date(received).toISOString() }),
      findingDoc({ id: 'held', accountId: '999999999999', severity: 2, updatedAt: new Date(received).toISOString() }),
      findingDoc({ id: 'recent', severity: 2, updatedAt: new Date().toISOString() }),
    ];
    await embedded.store.upsert(docs.map((d) => { const r = normalizeFinding(d); if (!r.ok) throw new Error(r.error.message); return r.finding; }), received);
    await embedded.archiver.sealAll();
    const metrics = new Metrics(false);
    const clock: RetentionClock = { now: () => received + 500 * DAY, sleep: async () => undefined };
    const config = configSchema.parse({ retention: { default: { storeDays: 30, archiveDays: 365 } } });
    const retention = buildRetention(embedded, config, { metrics, clock });
    await retention.service.createHold({ accountId: '999999999999', reason: 'litigation' }, 'arn:yagura:iam:::user/admin', clock.now());
    await retention.enforcer.passOnce();
    const ids = (await embedded.store.search({ query: { kind: 'all' }, size: 10, sort: { field: 'updatedAt', order: 'asc' } })).findings.map((f) => f.key.id).sort();
    assert.deepEqual(ids, ['held', 'recent']);
    const archived: string[] = [];
    for await (const ref of embedded.archive.list()) for await (const line of archiveLines(embedded.archive, ref)) archived.push((JSON.parse(line) as { id: string }).id);
    assert.deepEqual(archived.sort(), ['held'], 'the archive keeps only what the hold keeps: every object was 500 days old');
    const text = await metrics.registry.metrics();
    assert.match(text, /yagura_retention_removed_total\{scope="store",rule="default"\} 2/);
    assert.match(text, /yagura_retention_removed_total\{scope="archive",rule="default"\} 3/);
    assert.match(text, /yagura_retention_passes_total\{scope="store",outcome="done"\} 1/);
    assert.match(text, /yagura_retention_passes_total\{scope="archive",outcome="done"\} 1/);
    assert.match(text, /yagura_retention_lag_seconds\{scope="store"\} \d+/);
    await retention.enforcer.close();
  } finally {
    await embedded.close();
    await rm(dir, { recursive: true, force: true });
  }
});
