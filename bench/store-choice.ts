// `npm run bench -- --store-choice`: the same generated findings into SQLite (our SqliteStore) and into DuckDB,
// measured on what Yagura's hot paths do. The figures behind docs/adr/0001-embedded-store.md.
import path from 'node:path';
import { buildWorld } from '../src/demo/world.js';
import { BENCH_REGIONS, type BenchConfig } from './config.js';
import { machineInfo, type MachineInfo } from './machine.js';
import type { Progress } from './progress.js';
import type { SearchSpec } from './store-choice/contender.js';
import { openDuckdbContender } from './store-choice/duckdb-contender.js';
import { measureContender, type ContenderResult, type MeasureOptions } from './store-choice/measure.js';
import { renderStoreChoice } from './store-choice/report.js';
import { openSqliteContender } from './store-choice/sqlite-contender.js';

export interface StoreChoiceResults {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly findings: number;
  readonly contenders: readonly ContenderResult[];
  readonly phases: Progress['durations'];
}

const DAY_MS = 86_400_000;

export async function runStoreChoice(config: BenchConfig, progress: Progress): Promise<{ results: StoreChoiceResults; markdown: string }> {
  const startedAt = new Date().toISOString();
  const machine = await machineInfo(config.root);
  const findings = config.storeChoiceFindings;
  const now = Date.now();
  const base = { seed: config.dataset.seed + 100, findings, accounts: Math.max(20, Math.round(findings / 500)), now, days: 30, updatedShare: 0.3 };
  const busiest = buildWorld({ seed: base.seed, findings, accounts: base.accounts, regions: BENCH_REGIONS, types: 100, samples: 0 }).accounts[0]!.id;
  const searches: SearchSpec[] = [
    { name: 'severity >= 7, 7 days', kql: 'severity >= 7', duckdbWhere: 'severity >= 7', fromMs: now - 7 * DAY_MS },
    { name: 'busy account, band High', kql: `accountId:${busiest} and band:High`, duckdbWhere: `accountId = '${busiest}' AND band = 'High'` },
    { name: 'type prefix', kql: 'type:UnauthorizedAccess*', duckdbWhere: "starts_with(type, 'UnauthorizedAccess')" },
    { name: 'EKS, severity >= 5', kql: 'resourceType:EKSCluster and severity >= 5', duckdbWhere: "resource_type = 'EKSCluster' AND severity >= 5" },
  ];
  const options: MeasureOptions = {
    base,
    batch100: { findings: Math.max(1_000, Math.round(findings / 20)), maxSeconds: 60 },
    single: { findings: 1_000, maxSeconds: 30 },
    lookups: 1_000,
    searchRuns: 20,
    overviewRuns: 10,
    searches,
    overviewFromMs: now - 7 * DAY_MS,
  };
  const dir = path.join(config.workDir, 'store-choice');
  const sqlite = await progress.phase('store choice: SQLite', async () =>
    measureContender(await openSqliteContender(path.join(dir, 'sqlite')), options, progress.note),
  );
  const duckdb = await progress.phase('store choice: DuckDB', async () =>
    measureContender(await openDuckdbContender(path.join(dir, 'duckdb')), options, progress.note),
  );
  const results: StoreChoiceResults = { startedAt, machine, findings, contenders: [sqlite, duckdb], phases: progress.durations };
  return { results, markdown: renderStoreChoice(results) };
}
