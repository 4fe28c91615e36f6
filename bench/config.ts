// Benchmark settings from the environment: data set size and every phase's bounds, scaled to the data set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** 17 regions, most findings in the first ones (the generator draws them Zipf-weighted in this order). */
export const BENCH_REGIONS: readonly string[] = [
  'us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1', 'us-east-2', 'ap-southeast-2', 'eu-west-2',
  'ap-south-1', 'ap-southeast-1', 'ca-central-1', 'eu-north-1', 'sa-east-1', 'us-west-1', 'eu-west-3', 'ap-northeast-2', 'ap-northeast-3',
];

/** Full size, the figure the targets are stated for. */
export const FULL_FINDINGS = 1_000_000;

export interface DatasetParams {
  readonly seed: number;
  readonly findings: number;
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly types: number;
  readonly days: number;
  readonly updatedShare: number;
  /** Lines per export object at most, as GuardDuty's export writes them. */
  readonly objectMaxFindings: number;
}

/** Bounds of one load phase: it stops at whichever comes first. */
export interface LoadBounds {
  readonly maxRequests: number;
  readonly maxSeconds: number;
}

export interface BenchConfig {
  readonly root: string;
  /** `.bench/` under the repository (BENCH_WORK_DIR): generated data, data folders and results. */
  readonly workDir: string;
  /** BENCH_REUSE_IMPORT=1: serve the data folder a previous run imported (and did not serve yet) instead of importing again. */
  readonly reuseImport: boolean;
  readonly dataset: DatasetParams;
  /** Generated data older than this is made again, so relative windows (now-7d) keep their meaning. */
  readonly datasetMaxAgeHours: number;
  readonly importBatchSize: number;
  /** Phases stop early (and the report says so) when they would run longer than these. */
  readonly bareReadMaxSeconds: number;
  readonly searchRequests: number;
  readonly searchMaxSeconds: number;
  readonly overviewRequests: number;
  readonly overviewMaxSeconds: number;
  readonly duckdbRuns: number;
  readonly duckdbMaxSeconds: number;
  readonly singleIngest: LoadBounds & { readonly clients: number };
  readonly batchIngest: LoadBounds & { readonly clients: number; readonly batchSize: number };
  readonly latency: { readonly perSecond: number; readonly seconds: number; readonly pollTimeoutMs: number; readonly maxInFlight: number };
  /** Findings of the store-choice benchmark (`--store-choice`). */
  readonly storeChoiceFindings: number;
  readonly bootstrapKey: string;
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** Reads BENCH_* variables; smaller data sets get proportionally shorter phases. */
export function loadBenchConfig(): BenchConfig {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const findings = intEnv('BENCH_FINDINGS', FULL_FINDINGS, 1_000, 5_000_000);
  const scale = Math.min(1, findings / FULL_FINDINGS);
  // Quick runs keep every phase but shorten it: a tenth of the data gets about a third of the time.
  const seconds = (full: number): number => Math.max(3, Math.round(full * Math.sqrt(scale)));
  return {
    root,
    workDir: path.resolve(root, process.env['BENCH_WORK_DIR'] || '.bench'),
    reuseImport: process.env['BENCH_REUSE_IMPORT'] === '1',
    dataset: {
      seed: intEnv('BENCH_SEED', 20_261_128, 0, 2 ** 31),
      findings,
      accounts: intEnv('BENCH_ACCOUNTS', Math.max(20, Math.round(findings / 500)), 1, 100_000),
      regions: BENCH_REGIONS,
      types: 100,
      days: 30,
      updatedShare: 0.3,
      objectMaxFindings: 5_000,
    },
    datasetMaxAgeHours: intEnv('BENCH_DATA_MAX_AGE_HOURS', 24, 1, 24 * 365),
    importBatchSize: 25_000,
    bareReadMaxSeconds: seconds(60),
    searchRequests: Math.max(50, Math.round((200 * Math.sqrt(scale)) / 10) * 10),
    searchMaxSeconds: seconds(180),
    overviewRequests: Math.max(10, Math.round(30 * Math.sqrt(scale))),
    overviewMaxSeconds: seconds(120),
    duckdbRuns: intEnv('BENCH_DUCKDB_RUNS', findings >= 500_000 ? 3 : 5, 1, 50),
    duckdbMaxSeconds: seconds(150),
    singleIngest: { clients: 16, maxRequests: 20_000, maxSeconds: seconds(10) },
    batchIngest: { clients: 4, batchSize: 100, maxRequests: 500, maxSeconds: seconds(10) },
    latency: { perSecond: 100, seconds: seconds(10), pollTimeoutMs: 5_000, maxInFlight: 50 },
    storeChoiceFindings: intEnv('BENCH_STORE_CHOICE_FINDINGS', 200_000, 1_000, 2_000_000),
    bootstrapKey: 'bench-bootstrap-key-0123456789abcdef',
  };
}
