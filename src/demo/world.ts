// Everything fixed for one generator run: the type mix, accounts, regions, detectors and remote parties.
import type { FindingTypeSpec } from './catalog.js';
import { BoundedCache } from './compute.js';
import type { InstanceFacts } from './compute.js';
import { hex8 } from './format.js';
import { RemotePool } from './network.js';
import { Random, WeightedTable, hash32, zipfWeights } from './random.js';
import { selectFindingTypes } from './select-types.js';
import { compileTitle } from './text.js';
import type { CompiledTitle } from './text.js';

/** The inputs the world depends on (the finding count only decides which findings are samples). */
export interface WorldOptions {
  readonly seed: number;
  readonly findings: number;
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly types: number;
  readonly samples: number;
}

export interface Account {
  readonly id: string;
  /** Hash of the seed and account: entity names derive from it. */
  readonly salt: number;
  /** Index of the region where most of the account's findings happen. */
  readonly home: number;
}

export interface World {
  readonly seed: number;
  readonly types: readonly FindingTypeSpec[];
  /** Title templates of `types`, compiled. */
  readonly titles: readonly CompiledTitle[];
  /** Zipf (s = 1.1) over types in popularity order. */
  readonly typeTable: WeightedTable;
  readonly accounts: readonly Account[];
  /** Zipf (s = 1.1) over accounts: a few accounts produce most findings. */
  readonly accountTable: WeightedTable;
  readonly regions: readonly string[];
  /** Zipf (s = 1.3) over regions in the order given. */
  readonly regionTable: WeightedTable;
  readonly pool: RemotePool;
  readonly instances: BoundedCache<InstanceFacts>;
  /** Every n-th finding is a sample finding (0: none). */
  readonly sampleEvery: number;
  readonly samples: number;
  readonly detectors: Map<number, string>;
}

/** Builds the world from its own seeded stream, so it does not depend on how many findings are drawn. */
export function buildWorld(opts: WorldOptions): World {
  const rng = new Random(hash32(opts.seed, 0x3e7));
  const types = selectFindingTypes(opts.types);
  const regionTable = new WeightedTable(zipfWeights(opts.regions.length, 1.3));
  const ids = new Set<string>();
  const accounts: Account[] = [];
  while (accounts.length < opts.accounts) {
    const id = String(rng.range(100_000_000_000, 999_999_999_999));
    if (ids.has(id)) continue;
    ids.add(id);
    accounts.push({ id, salt: hash32(opts.seed, accounts.length, 0xacc), home: regionTable.sample(rng) });
  }
  return {
    seed: opts.seed,
    types,
    titles: types.map((spec) => compileTitle(spec.title)),
    typeTable: new WeightedTable(zipfWeights(types.length, 1.1)),
    accounts,
    accountTable: new WeightedTable(zipfWeights(accounts.length, 1.1)),
    regions: opts.regions,
    regionTable,
    pool: new RemotePool(rng),
    instances: new BoundedCache(8_000),
    sampleEvery: opts.samples > 0 ? Math.max(1, Math.floor(opts.findings / opts.samples)) : 0,
    samples: opts.samples,
    detectors: new Map(),
  };
}

/** The detector of an account in a region: one per account and region, as GuardDuty has. */
export function detectorId(world: World, account: number, region: number): string {
  const key = account * world.regions.length + region;
  let id = world.detectors.get(key);
  if (id === undefined) {
    const seed = world.seed;
    id = hex8(hash32(seed, key, 1)) + hex8(hash32(seed, key, 2)) + hex8(hash32(seed, key, 3)) + hex8(hash32(seed, key, 4));
    world.detectors.set(key, id);
  }
  return id;
}

/** Whether finding number `index` is flagged as CreateSampleFindings output. */
export function isSample(world: World, index: number): boolean {
  return world.sampleEvery > 0 && index % world.sampleEvery === 0 && index / world.sampleEvery < world.samples;
}
