// fast-check settings shared by every fuzz test: a fixed seed, FUZZ_RUNS runs, and replay of a reported failure.
import type { Parameters } from 'fast-check';

/** Runs per property: 300 in `npm test`, 100,000 under `npm run fuzz`. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** The default seed; CI runs are deterministic, `FUZZ_SEED` explores others. */
export const DEFAULT_SEED = 20261128;

/**
 * `FUZZ_RUNS` (default 300, `npm run fuzz` sets 100,000) runs per property from seed `FUZZ_SEED`.
 * To replay a failure, set `FUZZ_SEED` and `FUZZ_PATH` to the seed and path fast-check printed and
 * pick the one test with `--test-name-pattern`; the run then stops at the first failure.
 */
export function fuzzParameters<T>(runs = FUZZ_RUNS): Parameters<T> {
  const path = process.env.FUZZ_PATH;
  return {
    seed: Number(process.env.FUZZ_SEED ?? DEFAULT_SEED),
    numRuns: runs,
    ...(path !== undefined && path !== '' && { path, endOnFailure: true }),
  };
}
