// Runs the store-choice workload against one contender: bulk load, small batches, single upserts, reads.
import type { Finding, FindingKey } from '../../src/findings/finding.js';
import type { Note } from '../progress.js';
import { summarize, timed, type LatencySummary } from '../stats.js';
import type { Contender, SearchSpec } from './contender.js';
import { allFindings, findingChunks, type WorkloadOptions } from './workload.js';

export interface Throughput {
  readonly versions: number;
  readonly batches: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Per-batch commit latency. */
  readonly batchMs: LatencySummary;
}

export interface ContenderResult {
  readonly name: string;
  readonly load10k: Throughput;
  readonly batch100: Throughput;
  readonly single: Throughput;
  /** 10,000 versions already stored, delivered again in one batch: all duplicates. */
  readonly redeliveryMs: number;
  /** Findings whose versions arrive newest first: older versions must go to history, never become current. */
  readonly lateOlder: { readonly versions: number; readonly ms: number; readonly correct: boolean };
  readonly lookup: LatencySummary;
  readonly searches: ReadonlyArray<{ readonly name: string; readonly total: number; readonly latency: LatencySummary }>;
  readonly overview: { readonly latency: LatencySummary; readonly total: number; readonly bands: Record<string, number> };
  readonly findings: number;
  readonly versions: number;
  readonly diskBytes: number;
}

export interface MeasureOptions {
  readonly base: WorkloadOptions;
  readonly batch100: { readonly findings: number; readonly maxSeconds: number };
  readonly single: { readonly findings: number; readonly maxSeconds: number };
  readonly lookups: number;
  readonly searchRuns: number;
  readonly overviewRuns: number;
  readonly searches: readonly SearchSpec[];
  readonly overviewFromMs: number;
}

async function feed(contender: Contender, chunks: Iterable<Finding[]>, maxSeconds: number, onBatch?: (chunk: Finding[]) => void): Promise<Throughput> {
  const samples: number[] = [];
  let versions = 0;
  let busy = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  let rest: Finding[] = [];
  for (const chunk of chunks) {
    if (performance.now() > deadline) {
      // Past the time cap the rest is stored untimed, so both stores end up holding the same findings.
      rest.push(...chunk);
      if (rest.length >= 10_000) {
        await contender.upsert(rest, Date.now());
        rest = [];
      }
      continue;
    }
    const { ms } = await timed(() => (chunk.length === 1 ? contender.upsertOne(chunk[0]!, Date.now()) : contender.upsert(chunk, Date.now())));
    samples.push(ms);
    busy += ms;
    versions += chunk.length;
    onBatch?.(chunk);
  }
  if (rest.length > 0) await contender.upsert(rest, Date.now());
  // Only the time inside the store counts: generating and validating the input is the same for both and left out.
  return { versions, batches: samples.length, seconds: busy / 1000, perSecond: versions / (busy / 1000), batchMs: summarize(samples) };
}

/** Every `step`-th key seen, for point lookups spread over the whole data set. */
function keySampler(target: number, total: number): { take: (chunk: readonly Finding[]) => void; keys: FindingKey[] } {
  const step = Math.max(1, Math.floor(total / target));
  const keys: FindingKey[] = [];
  let seen = 0;
  return {
    keys,
    take(chunk) {
      for (const f of chunk) if (seen++ % step === 0 && keys.length < target) keys.push(f.key);
    },
  };
}

export async function measureContender(contender: Contender, options: MeasureOptions, note: Note): Promise<ContenderResult> {
  const base = options.base;
  const sampler = keySampler(options.lookups, Math.round(base.findings * 1.6));
  let firstChunk: Finding[] | undefined;
  const load10k = await feed(contender, findingChunks(base, 10_000), Number.POSITIVE_INFINITY, (chunk) => {
    firstChunk ??= chunk;
    sampler.take(chunk);
  });
  note(`${contender.name}: loaded ${load10k.versions} versions in batches of 10,000 at ${Math.round(load10k.perSecond)}/s`);
  const batch100 = await feed(contender, findingChunks({ ...base, seed: base.seed + 1, findings: options.batch100.findings }, 100), options.batch100.maxSeconds);
  note(`${contender.name}: ${batch100.versions} versions in batches of 100 at ${Math.round(batch100.perSecond)}/s`);
  const single = await feed(contender, findingChunks({ ...base, seed: base.seed + 2, findings: options.single.findings, updatedShare: 0 }, 1), options.single.maxSeconds);
  note(`${contender.name}: ${single.versions} single upserts, p50 ${single.batchMs.p50.toFixed(1)} ms`);

  const redeliveryMs = (await timed(() => contender.upsert(firstChunk ?? [], Date.now()))).ms;
  const late = allFindings({ ...base, seed: base.seed + 3, findings: 1_000, updatedShare: 1 });
  const newest = new Map<string, string>();
  for (const f of late) newest.set(`${f.key.accountId}/${f.key.region}/${f.key.id}`, f.hash);
  const lateMs = (await timed(() => contender.upsert([...late].reverse(), Date.now()))).ms;
  let correct = true;
  for (const f of late.slice(0, 200)) {
    const got = await contender.get(f.key);
    if (got?.hash !== newest.get(`${f.key.accountId}/${f.key.region}/${f.key.id}`)) correct = false;
  }

  const lookups: number[] = [];
  for (const key of sampler.keys) {
    const { ms, value } = await timed(() => contender.get(key));
    if (value === undefined) throw new Error(`${contender.name} lost finding ${key.id}`);
    lookups.push(ms);
  }
  const searches = [];
  for (const spec of options.searches) {
    const samples: number[] = [];
    let total = 0;
    for (let i = 0; i < options.searchRuns; i++) {
      const { ms, value } = await timed(() => contender.search(spec));
      samples.push(ms);
      total = value.total;
    }
    searches.push({ name: spec.name, total, latency: summarize(samples) });
  }
  const overviewSamples: number[] = [];
  let overview = { total: 0, bands: {} as Record<string, number> };
  for (let i = 0; i < options.overviewRuns; i++) {
    const { ms, value } = await timed(() => contender.overview(options.overviewFromMs));
    overviewSamples.push(ms);
    overview = value;
  }
  const counts = await contender.counts();
  await contender.close();
  return {
    name: contender.name,
    load10k,
    batch100,
    single,
    redeliveryMs,
    lateOlder: { versions: late.length, ms: lateMs, correct },
    lookup: summarize(lookups),
    searches,
    overview: { latency: summarize(overviewSamples), ...overview },
    findings: counts.findings,
    versions: counts.versions,
    diskBytes: await contender.diskBytes(),
  };
}
