// The store-choice inputs: generated finding versions, validated as ingest does, handed out in chunks.
import { generateFindingVersions } from '../../src/demo/generate.js';
import type { Finding } from '../../src/findings/finding.js';
import { normalizeFinding } from '../../src/findings/normalize.js';
import { BENCH_REGIONS } from '../config.js';

export interface WorkloadOptions {
  readonly seed: number;
  readonly findings: number;
  readonly accounts: number;
  readonly now: number;
  readonly days: number;
  readonly updatedShare: number;
}

/** The same options always give the same versions in the same order, so both stores get identical input. */
export function* findingChunks(options: WorkloadOptions, chunkSize: number): Generator<Finding[]> {
  let chunk: Finding[] = [];
  for (const doc of generateFindingVersions({ ...options, regions: BENCH_REGIONS, types: 100 })) {
    const result = normalizeFinding(doc);
    if (!result.ok) throw new Error(`the generator made an invalid finding: ${result.error.message}`);
    chunk.push(result.finding);
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** All versions of a small workload at once. */
export function allFindings(options: WorkloadOptions): Finding[] {
  return [...findingChunks(options, 10_000)].flat();
}
