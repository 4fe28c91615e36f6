// Deterministic, realistic GuardDuty finding documents for the demo, benchmarks and tests.
import { findingVersions } from './finding.js';
import { Random, hash32 } from './random.js';
import { buildWorld } from './world.js';

/** What to generate. The same options always produce byte-identical documents. */
export interface GeneratorOptions {
  readonly seed: number;
  /** Distinct findings; each yields one or more versions. */
  readonly findings: number;
  readonly accounts: number;
  /** Regions in order of popularity (the first gets the most findings). Default: 8 common regions. */
  readonly regions?: readonly string[];
  /** Distinct finding types, default 100; beyond the catalogue, plausible variants are derived. */
  readonly types?: number;
  /** Epoch ms; every timestamp is before it. */
  readonly now: number;
  /** Width of the window, in days before `now`, over which findings are created. */
  readonly days: number;
  /** Share (0..1) of findings that GuardDuty updated, yielding 2–6 versions instead of one. */
  readonly updatedShare: number;
  /** Findings flagged as `CreateSampleFindings` output (`service.additionalInfo.sample: true`). Default 0. */
  readonly samples?: number;
}

/** us-east-1 and eu-west-1 first: they carry most findings, as in most organisations. */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1', 'us-east-2', 'ap-southeast-2', 'eu-west-2',
];

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function validate(opts: GeneratorOptions): void {
  check(Number.isFinite(opts.seed), 'seed must be a finite number');
  check(Number.isInteger(opts.findings) && opts.findings >= 0, 'findings must be a non-negative integer');
  check(Number.isInteger(opts.accounts) && opts.accounts >= 1, 'accounts must be a positive integer');
  check(Number.isFinite(opts.now) && opts.now > 0, 'now must be epoch milliseconds');
  check(Number.isFinite(opts.days) && opts.days > 0, 'days must be a positive number');
  check(opts.updatedShare >= 0 && opts.updatedShare <= 1, 'updatedShare must be between 0 and 1');
  check(opts.types === undefined || (Number.isInteger(opts.types) && opts.types >= 1), 'types must be a positive integer');
  check(opts.samples === undefined || (Number.isInteger(opts.samples) && opts.samples >= 0), 'samples must be a non-negative integer');
  const regions = opts.regions ?? DEFAULT_REGIONS;
  check(regions.length > 0 && regions.every((r) => REGION.test(r)), 'regions must be a non-empty list of region names');
}

/**
 * Yields bare GuardDuty finding documents (schemaVersion 2.0): every version of a finding, oldest first, before
 * the next finding. Documents share nested objects (`resource`, `service.action`, remote parties): treat them as
 * read-only. Throws RangeError on invalid options, when iteration starts.
 */
export function* generateFindingVersions(opts: GeneratorOptions): Generator<Record<string, unknown>> {
  validate(opts);
  const world = buildWorld({
    seed: opts.seed,
    findings: opts.findings,
    accounts: opts.accounts,
    regions: opts.regions ?? DEFAULT_REGIONS,
    types: opts.types ?? 100,
    samples: opts.samples ?? 0,
  });
  const window = { now: opts.now, days: opts.days, updatedShare: opts.updatedShare };
  const rng = new Random(hash32(opts.seed, 0xf1d));
  for (let i = 0; i < opts.findings; i++) {
    for (const version of findingVersions(i, world, rng, window)) yield version;
  }
}

/** Options of the demo set behind `yagura serve --demo`. */
export const DEMO_OPTIONS: Omit<GeneratorOptions, 'now'> = {
  seed: 20_171_128,
  findings: 1_240,
  accounts: 40,
  regions: DEFAULT_REGIONS,
  types: 100,
  days: 30,
  updatedShare: 0.3,
  samples: 6,
};

/** About 2,000 versions of 1,240 findings over the 30 days before `now`; the same for the same `now`. */
export function generateDemoSet(now: number): Record<string, unknown>[] {
  return [...generateFindingVersions({ ...DEMO_OPTIONS, now })];
}
