// fast-check settings shared by every fuzz test: a fixed seed, FUZZ_RUNS runs, replay of a reported failure, and floors on the branches runs reach.
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

/**
 * Counts how many runs of a property reach each branch, so that a property which skips inputs the code under
 * test rejects cannot pass because everything was rejected: `requireShare` sets the floor after `fc.assert`.
 */
export class BranchCounter {
  private runs = 0;
  private readonly reached = new Map<string, number>();

  /** Call once at the start of each run. */
  run(): void {
    this.runs++;
  }

  reach(branch: string): void {
    this.reached.set(branch, (this.reached.get(branch) ?? 0) + 1);
  }

  /** Fails unless at least `share` (0..1) of the runs reached `branch`. */
  requireShare(branch: string, share: number): void {
    const n = this.reached.get(branch) ?? 0;
    if (this.runs === 0 || n < share * this.runs) {
      throw new Error(`only ${n} of ${this.runs} runs reached "${branch}"; at least ${Math.round(share * 100)}% must`);
    }
  }

  /** The measured shares, for choosing floors (`FUZZ_SHARES=1` prints them). */
  report(title: string): void {
    if (process.env.FUZZ_SHARES !== '1') return;
    const shares = [...this.reached].map(([b, n]) => `${b} ${(n / this.runs).toFixed(3)}`).join(', ');
    process.stderr.write(`${title}: ${this.runs} runs; ${shares}\n`);
  }
}
