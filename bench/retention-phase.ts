// Retention under load: a served store of BENCH_FINDINGS findings, 30% of them past their retention, while the
// server's retention pass removes them — arrival → searchable and search latency during the pass, then after it.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { generateFindingVersions } from '../src/demo/generate.js';
import type { Finding } from '../src/findings/finding.js';
import { normalizeFinding } from '../src/findings/normalize.js';
import { openEmbedded } from '../src/main.js';
import { ApiClient } from './api-client.js';
import type { BenchConfig } from './config.js';
import { freshFindings } from './fresh-findings.js';
import { measureArrival, type ArrivalResult } from './latency-phase.js';
import { measureSearch, type SearchQuery, type SearchResult } from './search-phase.js';
import { startServer } from './server-process.js';
import { sleep } from './stats.js';

const DAY_MS = 86_400_000;
/** Share of the findings made Low and 400 days old: past the 90 days of the benchmark's Low rule. */
const EXPIRED_SHARE = 0.3;

export interface RetentionBenchResult {
  readonly findings: number;
  readonly expired: number;
  /** Findings the pass removed (from the server's metrics). */
  readonly removed: number;
  /** From the first batch seen removed until the last. */
  readonly passSeconds: number;
  readonly removedPerSecond: number;
  /** Share of the arrival measurement that ran while the pass was still removing (1: all of it). */
  readonly overlap: number;
  readonly batchFindings: number;
  readonly pauseMilliseconds: number;
  readonly during: { readonly arrival: ArrivalResult; readonly search: SearchResult };
  readonly after: { readonly arrival: ArrivalResult; readonly search: SearchResult };
}

const QUERIES: readonly SearchQuery[] = [
  { name: 'high severity, 7 days', q: 'severity >= 7', from: 'now-7d' },
  { name: 'type prefix', q: 'type:UnauthorizedAccess*' },
  { name: 'free text "tor"', q: 'tor' },
  { name: 'everything, 24 h', q: '', from: 'now-24h' },
  { name: 'region and band', q: 'region:eu-west-1 and band:Critical' },
];

/** Whether finding `id` is one made to expire: an even spread over the data set. */
function expires(id: string): boolean {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 1000 < EXPIRED_SHARE * 1000;
}

async function seed(dataDir: string, config: BenchConfig, now: number): Promise<{ findings: number; expired: number }> {
  const embedded = await openEmbedded(dataDir, 'bench retention', { bulk: true });
  const ids = new Set<string>();
  const expiredIds = new Set<string>();
  try {
    let batch: Finding[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await embedded.store.upsert(batch, now, { sealArchive: true });
      batch = [];
    };
    for (const doc of generateFindingVersions({ ...config.dataset, seed: config.dataset.seed + 7, now })) {
      const id = String(doc['id']);
      ids.add(id);
      if (expires(id)) {
        expiredIds.add(id);
        const shift = (v: unknown): string => new Date(Date.parse(String(v)) - 400 * DAY_MS).toISOString();
        Object.assign(doc, { severity: 2, createdAt: shift(doc['createdAt']), updatedAt: shift(doc['updatedAt']) });
      }
      const r = normalizeFinding(doc);
      if (r.ok) batch.push(r.finding);
      if (batch.length >= 5000) await flush();
    }
    await flush();
    await embedded.archiver.sealAll();
  } finally {
    await embedded.close();
  }
  return { findings: ids.size, expired: expiredIds.size };
}

/** The store pass's removals so far, from /metrics. */
async function removedSoFar(url: string, apiKey: string): Promise<number> {
  const response = await fetch(new URL('/metrics', url), { headers: { 'x-api-key': apiKey } });
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('yagura_retention_removed_total{') && line.includes('scope="store"')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function measureRetention(config: BenchConfig, progress: { note(text: string): void }): Promise<RetentionBenchResult> {
  const dir = path.join(config.workDir, 'retention');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const dataDir = path.join(dir, 'data');
  const now = Date.now();
  const seeded = await seed(dataDir, config, now);
  progress.note(`retention: ${seeded.findings} findings stored, ${seeded.expired} of them past their retention`);
  // The configuration's defaults.
  const { batchFindings, pauseMilliseconds } = configSchema.parse({}).retention;
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ retention: { rules: [{ name: 'low', bands: ['Low'], storeDays: 90 }], batchFindings, pauseMilliseconds } }));
  const server = await startServer(config.root, dataDir, config.bootstrapKey, undefined, ['--config', file], path.join(dir, 'server.log'));
  try {
    const client = new ApiClient(server.url, config.bootstrapKey);
    // The first pass starts about ten seconds after the server.
    const waitUntil = performance.now() + 120_000;
    while ((await removedSoFar(server.url, config.bootstrapKey)) === 0) {
      if (performance.now() > waitUntil) throw new Error('the retention pass removed nothing within two minutes of the start');
      await sleep(20);
    }
    const passStarted = performance.now();
    let passEnded: number | undefined;
    let removed = 0;
    const watch = (async () => {
      const deadline = performance.now() + 3_600_000;
      while (performance.now() < deadline) {
        removed = await removedSoFar(server.url, config.bootstrapKey);
        if (removed >= seeded.expired) {
          passEnded = performance.now();
          return;
        }
        await sleep(50);
      }
    })();
    const lat = config.latency;
    const measured = performance.now();
    const [arrival, search] = await Promise.all([
      measureArrival(client, freshFindings(config.dataset.seed + 11, lat.perSecond * lat.seconds, config.dataset), lat),
      measureSearch(client, QUERIES, config.searchRequests, config.searchMaxSeconds),
    ]);
    const measuredEnd = performance.now();
    await watch;
    const end = passEnded ?? performance.now();
    const overlap = Math.max(0, Math.min(1, (end - measured) / (measuredEnd - measured)));
    const afterArrival = await measureArrival(client, freshFindings(config.dataset.seed + 12, lat.perSecond * lat.seconds, config.dataset), lat);
    const afterSearch = await measureSearch(client, QUERIES, config.searchRequests, config.searchMaxSeconds);
    const passSeconds = (end - passStarted) / 1000;
    return {
      findings: seeded.findings,
      expired: seeded.expired,
      removed,
      passSeconds,
      removedPerSecond: removed / passSeconds,
      overlap,
      batchFindings,
      pauseMilliseconds,
      during: { arrival, search },
      after: { arrival: afterArrival, search: afterSearch },
    };
  } finally {
    await server.stop(30_000);
  }
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–');

export function renderRetention(r: RetentionBenchResult): string {
  return [
    '## Retention pass under load',
    '',
    `${r.findings.toLocaleString('en-US')} findings served, ${r.expired.toLocaleString('en-US')} past their retention (Low, 400 days old; rule: Low 90 days). ` +
      `The server's pass removed ${r.removed.toLocaleString('en-US')} in ${r.passSeconds.toFixed(1)} s (${Math.round(r.removedPerSecond)}/s; batches of ${r.batchFindings}, ${r.pauseMilliseconds} ms apart). ` +
      `${Math.round(r.overlap * 100)}% of the arrival measurement ran while the pass was removing.`,
    '',
    '| | arrival → searchable p50 | p99 | max | search p50 | search p99 |',
    '| --- | --- | --- | --- | --- | --- |',
    `| during the pass | ${ms(r.during.arrival.latency.p50)} | ${ms(r.during.arrival.latency.p99)} | ${ms(r.during.arrival.latency.max)} | ${ms(r.during.search.overall.p50)} | ${ms(r.during.search.overall.p99)} |`,
    `| after the pass | ${ms(r.after.arrival.latency.p50)} | ${ms(r.after.arrival.latency.p99)} | ${ms(r.after.arrival.latency.max)} | ${ms(r.after.search.overall.p50)} | ${ms(r.after.search.overall.p99)} |`,
    '',
  ].join('\n');
}
