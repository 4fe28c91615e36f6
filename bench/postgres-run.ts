// `npm run bench -- --store postgres`: the phases that mean something on PostgreSQL, beside SQLite's measured in the
// same run on the same data: import (into a data folder, then `yagura migrate` into a fresh database), search,
// overview, single and batch ingest, arrival → searchable on one instance, and arrival at one instance → searchable
// at another, with three `yagura serve` instances on the database. Also the memory of Yagura's and PostgreSQL's
// processes and the database's bytes per finding.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ApiClient } from './api-client.js';
import type { BenchConfig } from './config.js';
import { ensureDataset } from './dataset.js';
import { diskUsage, storedCounts } from './disk-usage.js';
import { freshFindings } from './fresh-findings.js';
import { measureImport, type ImportResult } from './import-phase.js';
import { measureIngest, type IngestResult } from './ingest-phase.js';
import { measureArrival, type ArrivalResult } from './latency-phase.js';
import { measureOverview, type OverviewResult } from './overview-phase.js';
import type { Progress } from './progress.js';
import { measureSearch, searchQueries, type SearchResult } from './search-phase.js';
import { buildProject, startServer, type RunningServer, type ServerMemory } from './server-process.js';

const execFileAsync = promisify(execFile);

/** The server PostgreSQL databases are made on (BENCH_POSTGRES_URL; the local one, trust auth, by default). */
const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTANCES = 3;

/** What one store's served phases measured. */
export interface ServedResult {
  readonly facetsLoadedMs: number;
  readonly search: SearchResult;
  readonly overview: OverviewResult;
  readonly singleIngest: IngestResult;
  readonly batchIngest: IngestResult;
  readonly arrival: ArrivalResult;
  readonly memory: readonly ServerMemory[];
}

export interface PostgresBenchResults {
  readonly startedAt: string;
  readonly findings: number;
  readonly versions: number;
  readonly machine: { readonly cores: number; readonly memoryGiB: number; readonly loadAverage: readonly number[]; readonly postgres: string };
  readonly sqliteImport: ImportResult;
  readonly migrate: { readonly seconds: number; readonly versionsPerSecond: number };
  readonly sqlite: ServedResult & { readonly diskBytesPerFinding: number };
  readonly postgres: ServedResult & {
    readonly instances: number;
    /** Posted to one instance, searched for at another. */
    readonly crossArrival: ArrivalResult;
    /** The same at a tenth of the rate: how long the change log takes to carry a finding when nothing queues. */
    readonly crossArrivalLight: ArrivalResult;
    readonly postgresMemory: { readonly processes: number; readonly anonBytes: number; readonly sharedBytes: number };
    readonly databaseBytes: number;
    readonly databaseBytesPerFinding: number;
  };
  readonly loadAverageAfter: readonly number[];
  readonly totalSeconds: number;
}

/** The resident memory of PostgreSQL's processes: private memory summed, shared buffers counted once (the largest). */
async function postgresMemory(): Promise<PostgresBenchResults['postgres']['postgresMemory']> {
  let processes = 0;
  let anon = 0;
  let shared = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    if (!/^Name:\s+postgres$/m.test(status)) continue;
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    processes++;
    anon += kb('RssAnon');
    shared = Math.max(shared, kb('RssShmem'));
  }
  return { processes, anonBytes: anon, sharedBytes: shared };
}

/** Search, overview, single and batch ingest and arrival on `servers[0]`, as the main benchmark runs them. */
/** `facetsLoadedMs`: the slowest instance's, each from its own spawn until its facets were loaded. */
async function servedPhases(config: BenchConfig, progress: Progress, label: string, servers: readonly RunningServer[], facetsLoadedMs: number, manifest: Parameters<typeof searchQueries>[0], seed: number): Promise<ServedResult> {
  const client = new ApiClient(servers[0]!.url, config.bootstrapKey);
  const search = await progress.phase(`${label}: search`, () => measureSearch(client, searchQueries(manifest), config.searchRequests, config.searchMaxSeconds));
  const overview = await progress.phase(`${label}: overview`, () => measureOverview(client, config.overviewRequests, config.overviewMaxSeconds));
  const single = config.singleIngest;
  const singles = freshFindings(seed + 1, single.maxRequests, config.dataset);
  const singleIngest = await progress.phase(`${label}: ingest, one event per request`, () => measureIngest(client, singles, { ...single, batchSize: 1 }));
  const batch = config.batchIngest;
  const batches = freshFindings(seed + 2, batch.maxRequests * batch.batchSize, config.dataset);
  const batchIngest = await progress.phase(`${label}: ingest, ${batch.batchSize} events per request`, () => measureIngest(client, batches, batch));
  const lat = config.latency;
  const arrival = await progress.phase(`${label}: arrival → searchable`, () => measureArrival(client, freshFindings(seed + 3, lat.perSecond * lat.seconds, config.dataset), lat));
  const memory = await Promise.all(servers.map((s) => s.memory()));
  return { facetsLoadedMs, search, overview, singleIngest, batchIngest, arrival, memory };
}

export async function runPostgresBench(config: BenchConfig, progress: Progress): Promise<PostgresBenchResults> {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  await progress.phase('build', () => buildProject(config.root));
  const dataset = await progress.phase('data set', () => ensureDataset(config.workDir, config.dataset, config.datasetMaxAgeHours, progress.note));
  const dataDir = path.join(config.workDir, 'data');
  const sqliteImport = await progress.phase('import into a data folder (SQLite)', () => measureImport(dataset.exportDir, dataDir, config.importBatchSize));
  const { findings, versions } = storedCounts(dataDir);

  const name = `yagura_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const postgresVersion = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const servers: RunningServer[] = [];
  try {
    const cli = path.join(config.root, 'dist/cli/main.js');
    const t0 = performance.now();
    await progress.phase('yagura migrate into PostgreSQL', () => execFileAsync(process.execPath, [cli, 'migrate', '--from', dataDir, '--to', url.toString()], { cwd: config.root, maxBuffer: 64 * 1024 * 1024 }));
    const migrateSeconds = (performance.now() - t0) / 1000;

    // SQLite first, on the folder just copied (nothing else holds it now).
    const sqliteServer = await progress.phase('SQLite: start server', () => startServer(config.root, dataDir, config.bootstrapKey, undefined, [], path.join(config.workDir, 'server-sqlite.log')));
    let sqlite: ServedResult;
    try {
      const loaded = await progress.phase('SQLite: load in-memory facets', () => sqliteServer.facetsLoaded(config.bootstrapKey));
      sqlite = await servedPhases(config, progress, 'SQLite', [sqliteServer], loaded, dataset.manifest, config.dataset.seed);
    } finally {
      await sqliteServer.stop();
    }
    const sqliteDisk = await diskUsage(dataDir);

    // Three instances on the database, each with a folder of its own holding the migrated folder's master key; each
    // loads its facets before the next starts, so that its time is its own.
    let facetsLoadedMs = 0;
    for (let i = 0; i < INSTANCES; i++) {
      const folder = path.join(config.workDir, `pg-instance-${i}`);
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await copyFile(path.join(dataDir, 'master.key'), path.join(folder, 'master.key'));
      servers.push(await progress.phase(`PostgreSQL: start instance ${i + 1}`, () =>
        startServer(config.root, folder, config.bootstrapKey, undefined, [], path.join(config.workDir, `server-pg-${i}.log`), { YAGURA_DATABASE_URL: url.toString() }),
      ));
      const server = servers[i]!;
      facetsLoadedMs = Math.max(facetsLoadedMs, await progress.phase(`PostgreSQL: instance ${i + 1} loads its facets`, () => server.facetsLoaded(config.bootstrapKey)));
    }
    // Other seeds than SQLite's: these findings are new to this store too.
    const served = await servedPhases(config, progress, 'PostgreSQL', servers, facetsLoadedMs, dataset.manifest, config.dataset.seed + 10);
    const lat = config.latency;
    const crossArrival = await progress.phase('PostgreSQL: arrival at one instance → searchable at another', () =>
      measureArrival(new ApiClient(servers[0]!.url, config.bootstrapKey), freshFindings(config.dataset.seed + 20, lat.perSecond * lat.seconds, config.dataset), lat, new ApiClient(servers[1]!.url, config.bootstrapKey)),
    );
    const crossArrivalLight = await progress.phase(`PostgreSQL: the same at ${lat.perSecond / 10}/s`, () =>
      measureArrival(new ApiClient(servers[0]!.url, config.bootstrapKey), freshFindings(config.dataset.seed + 21, (lat.perSecond / 10) * lat.seconds, config.dataset), { ...lat, perSecond: lat.perSecond / 10 }, new ApiClient(servers[1]!.url, config.bootstrapKey)),
    );
    const postgresMem = await postgresMemory();
    const [row] = (await admin.query<{ bytes: string; findings: string }>(`SELECT pg_database_size('${name}')::text AS bytes`)).rows;
    const counted = new pg.Client({ connectionString: url.toString() });
    await counted.connect();
    const stored = Number((await counted.query<{ n: string }>('SELECT count(*)::text AS n FROM findings')).rows[0]!.n);
    await counted.end();
    const databaseBytes = Number(row!.bytes);
    return {
      startedAt,
      findings,
      versions,
      machine: { cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: loadAtStart, postgres: postgresVersion },
      sqliteImport,
      migrate: { seconds: migrateSeconds, versionsPerSecond: versions / migrateSeconds },
      sqlite: { ...sqlite, diskBytesPerFinding: sqliteDisk.databaseBytes / storedCounts(dataDir).findings },
      postgres: { ...served, instances: INSTANCES, crossArrival, crossArrivalLight, postgresMemory: postgresMem, databaseBytes, databaseBytesPerFinding: databaseBytes / stored },
      loadAverageAfter: os.loadavg(),
      totalSeconds: progress.elapsedSeconds,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop(30_000)));
    if (process.env['BENCH_KEEP_DATABASE'] !== '1') await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const ms = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
const rate = (v: number): string => Math.round(v).toLocaleString('en');

/** The report: SQLite and PostgreSQL side by side, targets beside the figures they apply to. */
export function renderPostgresReport(r: PostgresBenchResults): string {
  const p = r.postgres;
  const s = r.sqlite;
  const row = (what: string, target: string, sqlite: string, postgres: string): string => `| ${what} | ${target} | ${sqlite} | ${postgres} |`;
  const rss = (list: readonly ServerMemory[]): string => list.map((m) => mb(m.rssBytes)).join(' + ');
  return [
    `## Server mode benchmark (\`npm run bench -- --store postgres\`)`,
    '',
    `${rate(r.findings)} findings (${rate(r.versions)} versions), ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, PostgreSQL ${r.machine.postgres} on the same machine; ` +
      `load average ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')} at the start, ${r.loadAverageAfter.map((l) => l.toFixed(2)).join(' / ')} at the end (1/5/15 min). ` +
      `PostgreSQL: ${p.instances} \`yagura serve\` instances on one database, each with a local archive; the phases run against the first.`,
    '',
    '| | target | SQLite | PostgreSQL |',
    '| --- | --- | --- | --- |',
    row('import (versions/s)', '—', `${rate(r.sqliteImport.versionsPerSecond)} (\`yagura import\`)`, `${rate(r.migrate.versionsPerSecond)} (\`yagura migrate\` from the folder)`),
    row('spawn → facets loaded (PostgreSQL: the slowest instance)', '—', ms(s.facetsLoadedMs), ms(p.facetsLoadedMs)),
    row('overview p50 / p99', '≤ 150 ms p50', `${ms(s.overview.latency.p50)} / ${ms(s.overview.latency.p99)}`, `${ms(p.overview.latency.p50)} / ${ms(p.overview.latency.p99)}`),
    row('search p50 / p99', '≤ 30 ms p50', `${ms(s.search.overall.p50)} / ${ms(s.search.overall.p99)}`, `${ms(p.search.overall.p50)} / ${ms(p.search.overall.p99)}`),
    row('single POSTs (requests/s)', '—', rate(s.singleIngest.requestsPerSecond), rate(p.singleIngest.requestsPerSecond)),
    row(`batches of ${p.batchIngest.batchSize} (findings/s)`, '—', rate(s.batchIngest.findingsPerSecond), rate(p.batchIngest.findingsPerSecond)),
    row(`arrival → searchable p50 / p99 at ${p.arrival.perSecond}/s`, '≤ 50 ms p99', `${ms(s.arrival.latency.p50)} / ${ms(s.arrival.latency.p99)} (${s.arrival.missed} missed)`, `${ms(p.arrival.latency.p50)} / ${ms(p.arrival.latency.p99)} (${p.arrival.missed} missed)`),
    row(`arrival at one instance → searchable at another, p50 / p99 at ${p.crossArrival.perSecond}/s`, '≤ 1 s p99', '—', `${ms(p.crossArrival.latency.p50)} / ${ms(p.crossArrival.latency.p99)} (${p.crossArrival.missed} missed)`),
    row(`the same at ${p.crossArrivalLight.perSecond}/s`, '—', '—', `${ms(p.crossArrivalLight.latency.p50)} / ${ms(p.crossArrivalLight.latency.p99)} (${p.crossArrivalLight.missed} missed)`),
    row('RSS of Yagura', '—', rss(s.memory), rss(p.memory)),
    row("RSS of PostgreSQL's processes", '—', '—', `${mb(p.postgresMemory.anonBytes)} private in ${p.postgresMemory.processes} processes + ${mb(p.postgresMemory.sharedBytes)} shared buffers`),
    row('disk per finding', '—', `${Math.round(s.diskBytesPerFinding)} B (yagura.db)`, `${Math.round(p.databaseBytesPerFinding)} B (database)`),
    '',
    `Total ${Math.round(r.totalSeconds)} s.`,
    '',
  ].join('\n');
}
