// Everything one `npm run bench` measured, and the targets the figures are held to.
import type { AccessResult } from './access-phase.js';
import type { DatasetManifest } from './dataset.js';
import type { DiskUsage } from './disk-usage.js';
import type { DuckdbOverviewResult } from './duckdb-overview.js';
import type { BareReadResult, ImportResult } from './import-phase.js';
import type { IngestResult } from './ingest-phase.js';
import type { ArrivalResult } from './latency-phase.js';
import type { FsyncBaseline } from './baselines.js';
import type { MachineInfo } from './machine.js';
import type { PhaseRecord } from './progress.js';
import type { OverviewResult } from './overview-phase.js';
import type { SearchResult } from './search-phase.js';
import type { ServerMemory } from './server-process.js';

export interface BenchResults {
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly dataset: { readonly manifest: DatasetManifest; readonly reused: boolean };
  readonly import: ImportResult;
  /** Absent when the export objects were no longer on disk (a reused import). */
  readonly bareRead: BareReadResult | undefined;
  readonly startupMs: number;
  /** From spawn until the overview's in-memory facets were loaded. */
  readonly facetsLoadedMs: number;
  readonly search: SearchResult;
  readonly overview: OverviewResult;
  /** The overview and search as restricted roles, beside an administrator's (absent in runs from before access control). */
  readonly access?: AccessResult;
  readonly duckdb: DuckdbOverviewResult;
  readonly singleIngest: IngestResult;
  readonly batchIngest: IngestResult;
  readonly arrival: ArrivalResult;
  /** The same arrival phase with another process keeping one core busy. */
  readonly arrivalBusy?: ArrivalResult;
  /** fsync of a 4 KiB append on the bench's disk, measured in the same run. */
  readonly fsync?: FsyncBaseline;
  readonly memory: ServerMemory;
  /** The same, after the server sat idle for `idleSeconds` (V8 collects the load phases' garbage when idle). */
  readonly memoryIdle?: ServerMemory & { readonly idleSeconds: number };
  readonly disk: DiskUsage;
  /** Current findings and stored versions when the disk was measured. */
  readonly findingsStored: number;
  readonly versionsStored: number;
  readonly serverExitCode: number | null;
  readonly phases: readonly PhaseRecord[];
  /** Phases that were shortened or scaled down, and why. */
  readonly notes: readonly string[];
  readonly totalSeconds: number;
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const MB = 1024 * 1024;

export function checkTargets(r: BenchResults): TargetCheck[] {
  return [
    { name: 'Overview p50', target: '≤ 150 ms', measured: `${r.overview.latency.p50.toFixed(0)} ms`, pass: r.overview.latency.p50 <= 150 },
    { name: 'Search p50 (all classes)', target: '≤ 30 ms', measured: `${r.search.overall.p50.toFixed(1)} ms`, pass: r.search.overall.p50 <= 30 },
    { name: 'Import', target: '≥ 20,000 findings/s', measured: `${Math.round(r.import.versionsPerSecond).toLocaleString('en-US')} findings/s`, pass: r.import.versionsPerSecond >= 20_000 },
    {
      name: 'Arrival → searchable p99',
      target: '≤ 50 ms',
      measured: `${r.arrival.latency.p99.toFixed(0)} ms${r.arrival.missed > 0 ? ` (${r.arrival.missed} of ${r.arrival.sent + r.arrival.missed} missed)` : ''}`,
      pass: r.arrival.latency.p99 <= 50 && r.arrival.missed === 0,
    },
    ...(r.arrivalBusy
      ? [{
          name: 'Arrival → searchable p99, one core busy',
          target: '≤ 50 ms',
          measured: `${r.arrivalBusy.latency.p99.toFixed(0)} ms${r.arrivalBusy.missed > 0 ? ` (${r.arrivalBusy.missed} of ${r.arrivalBusy.sent + r.arrivalBusy.missed} missed)` : ''}`,
          pass: r.arrivalBusy.latency.p99 <= 50 && r.arrivalBusy.missed === 0,
        }]
      : []),
    { name: 'Server RSS', target: '≤ 400 MB', measured: `${(r.memory.rssBytes / MB).toFixed(0)} MB (peak ${(r.memory.hwmBytes / MB).toFixed(0)} MB)`, pass: r.memory.rssBytes <= 400 * MB },
    ...(r.access ? accessTargets(r.access) : []),
  ];
}

/** Each restricted role's overview and search p50 against the administrator's, measured beside it in the same phase. */
function accessTargets(a: AccessResult): TargetCheck[] {
  const admins = a.profiles.filter((p) => p.label.startsWith('administrator'));
  const overview = admins.reduce((s, p) => s + p.overview.latency.p50, 0) / admins.length;
  const search = admins.reduce((s, p) => s + p.search.overall.p50, 0) / admins.length;
  return a.profiles
    .filter((p) => !p.label.startsWith('administrator'))
    .flatMap((p) => [
      {
        name: `Overview p50, role allowed ${p.label}`,
        target: '≤ 1.5× the administrator\'s and ≤ 150 ms',
        measured: `${p.overview.latency.p50.toFixed(0)} ms (${(p.overview.latency.p50 / overview).toFixed(2)}×)`,
        pass: p.overview.latency.p50 <= 1.5 * overview && p.overview.latency.p50 <= 150,
      },
      {
        name: `Search p50, role allowed ${p.label}`,
        target: '≤ 1.5× the administrator\'s',
        measured: `${p.search.overall.p50.toFixed(1)} ms (${(p.search.overall.p50 / search).toFixed(2)}×)`,
        pass: p.search.overall.p50 <= 1.5 * search,
      },
    ]);
}
