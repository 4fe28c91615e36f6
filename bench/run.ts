// `npm run bench`: generates (or reuses) a data set, imports it, serves it, measures, and prints a Markdown report.
// `npm run bench -- --alerts` runs only the alert-latency benchmark (bench/alerts-phase.ts).
// `npm run bench -- --retention` runs only the retention pass under load (bench/retention-phase.ts).
// `npm run bench -- --store-choice` runs the SQLite-versus-DuckDB store benchmark instead (bench/store-choice.ts).
// `npm run bench -- --store postgres` runs the server-mode benchmark: SQLite beside three instances on PostgreSQL
// (bench/postgres-run.ts).
import { writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measureAccess } from './access-phase.js';
import { measureAlerts, renderAlerts } from './alerts-phase.js';
import { ApiClient } from './api-client.js';
import { loadBenchConfig, type BenchConfig } from './config.js';
import { ensureDataset, type Dataset } from './dataset.js';
import { diskUsage, storedCounts } from './disk-usage.js';
import { measureDuckdbOverview } from './duckdb-overview.js';
import { freshFindings } from './fresh-findings.js';
import { measureBareRead, measureImport, type BareReadResult, type ImportResult } from './import-phase.js';
import { forgetImportRecord, readImportRecord, writeImportRecord } from './import-record.js';
import { measureIngest } from './ingest-phase.js';
import { measureArrival } from './latency-phase.js';
import { measureFsync, withBusyCore } from './baselines.js';
import { machineInfo } from './machine.js';
import { measureOverview } from './overview-phase.js';
import { Progress } from './progress.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';
import { measureRetention, renderRetention } from './retention-phase.js';
import { measureSearch, searchQueries } from './search-phase.js';
import { buildProject, startServer } from './server-process.js';
import { runStoreChoice } from './store-choice.js';
import { renderPostgresReport, runPostgresBench } from './postgres-run.js';

/** True when the export objects of `dataset` are still on disk (another data set may have replaced them). */
async function exportStillThere(dataset: Dataset): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dataset.exportDir, '..', 'manifest.json'), 'utf8')) as { now: number; generator: string };
    return manifest.now === dataset.manifest.now && manifest.generator === dataset.manifest.generator;
  } catch {
    return false;
  }
}

async function runMain(config: BenchConfig, progress: Progress): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  // Each figure is saved as soon as it is measured, so a run stopped halfway still leaves what it measured.
  const partial: Record<string, unknown> = { startedAt, notes };
  const keep = <T>(name: string, value: T): T => {
    partial[name] = value;
    writeFileSync(path.join(config.workDir, 'results.partial.json'), `${JSON.stringify(partial, null, 2)}\n`);
    return value;
  };
  const machine = await machineInfo(config.root);
  const fsyncBaseline = keep('fsync', await progress.phase('fsync of a 4 KiB append', () => measureFsync(config.workDir)));
  // Built first: a broken build should fail the run at once, not after the import.
  await progress.phase('build', () => buildProject(config.root));
  const dataDir = path.join(config.workDir, 'data');
  const record = config.reuseImport ? await readImportRecord(config.workDir) : undefined;
  let dataset: Dataset;
  let imported: ImportResult;
  let bareRead: BareReadResult | undefined;
  if (record !== undefined) {
    progress.note(`reusing the data folder imported at ${record.measuredAt} (BENCH_REUSE_IMPORT=1)`);
    notes.push(`The import was not repeated (BENCH_REUSE_IMPORT=1): its figures and the data folder come from the run at ${record.measuredAt}.`);
    progress.durations.push(...record.phases.map((p) => ({ ...p, phase: `${p.phase} (earlier run)` })));
    dataset = { exportDir: path.join(config.workDir, 'dataset', 'export'), manifest: record.manifest, reused: true };
    imported = record.import;
  } else {
    dataset = await progress.phase('data set', () => ensureDataset(config.workDir, config.dataset, config.datasetMaxAgeHours, progress.note));
    imported = await progress.phase('import', () => measureImport(dataset.exportDir, dataDir, config.importBatchSize));
    progress.note(`imported ${imported.summary.read} versions at ${Math.round(imported.versionsPerSecond)}/s`);
    await writeImportRecord(config.workDir, { measuredAt: new Date().toISOString(), manifest: dataset.manifest, import: imported, phases: [...progress.durations] });
  }
  const current = await exportStillThere(dataset);
  if (current) {
    bareRead = await progress.phase('bare gunzip + JSON.parse', () => measureBareRead(dataset.exportDir, config.bareReadMaxSeconds));
    if (bareRead.capped) notes.push(`The bare read stopped after ${config.bareReadMaxSeconds} s: it read an even sample of ${bareRead.filesRead} of ${bareRead.files} objects.`);
  } else {
    notes.push('The bare read was not measured: the export objects of the imported data set are no longer in .bench/dataset.');
  }

  // From here on the data folder changes (live ingest), so it can no longer stand for the imported data set.
  await forgetImportRecord(config.workDir);
  keep('import', imported);
  keep('bareRead', bareRead);
  const server = await progress.phase('start server', () => startServer(config.root, dataDir, config.bootstrapKey, undefined, [], path.join(config.workDir, 'server.log')));
  keep('startupMs', server.startupMs);
  // Overview aggregations are answered from memory once the facets are loaded; SQL answers them until then.
  const facetsMs = keep('facetsLoadedMs', await progress.phase('load in-memory facets', () => server.facetsLoaded(config.bootstrapKey)));
  let stopped = false;
  try {
    const client = new ApiClient(server.url, config.bootstrapKey);
    const search = keep('search', await progress.phase('search', () => measureSearch(client, searchQueries(dataset.manifest), config.searchRequests, config.searchMaxSeconds)));
    if (search.requests < config.searchRequests) notes.push(`Search stopped after ${config.searchMaxSeconds} s with ${search.requests} of ${config.searchRequests} requests.`);
    const overview = keep('overview', await progress.phase('overview', () => measureOverview(client, config.overviewRequests, config.overviewMaxSeconds)));
    if (overview.requests < config.overviewRequests) notes.push(`The overview stopped after ${config.overviewMaxSeconds} s with ${overview.requests} of ${config.overviewRequests} requests.`);
    const access = keep('access', await progress.phase('access control: restricted roles beside an administrator', () =>
      measureAccess(server.url, config.bootstrapKey, searchQueries(dataset.manifest), {
        searchRequests: Math.ceil(config.searchRequests / 2),
        searchMaxSeconds: Math.ceil(config.searchMaxSeconds / 2),
        overviewRequests: config.overviewRequests,
        overviewMaxSeconds: config.overviewMaxSeconds,
      }),
    ));
    const duckdb = keep('duckdb', await progress.phase('DuckDB overview over the archive', () =>
      measureDuckdbOverview(path.join(dataDir, 'archive'), config.duckdbRuns, config.duckdbMaxSeconds),
    ));
    if (duckdb.runs < config.duckdbRuns) notes.push(`DuckDB ran ${duckdb.runs} of ${config.duckdbRuns} runs: no new run starts after ${config.duckdbMaxSeconds} s.`);

    const single = config.singleIngest;
    const singles = await progress.phase('new findings for single POSTs', async () => freshFindings(config.dataset.seed + 1, single.maxRequests, config.dataset));
    const singleIngest = keep('singleIngest', await progress.phase('ingest, one event per request', () => measureIngest(client, singles, { ...single, batchSize: 1 })));
    const batch = config.batchIngest;
    const batches = await progress.phase('new findings for batches', async () => freshFindings(config.dataset.seed + 2, batch.maxRequests * batch.batchSize, config.dataset));
    const batchIngest = keep('batchIngest', await progress.phase(`ingest, ${batch.batchSize} events per request`, () => measureIngest(client, batches, batch)));
    const lat = config.latency;
    const arrivals = freshFindings(config.dataset.seed + 3, lat.perSecond * lat.seconds, config.dataset);
    const arrival = keep('arrival', await progress.phase('arrival → searchable', () => measureArrival(client, arrivals, lat)));
    const busyArrivals = freshFindings(config.dataset.seed + 4, lat.perSecond * lat.seconds, config.dataset);
    const arrivalBusy = keep('arrivalBusy', await progress.phase('arrival → searchable, one core busy', () =>
      withBusyCore(lat.seconds + 30, () => measureArrival(client, busyArrivals, lat)),
    ));

    const memory = keep('memory', await server.memory());
    // Read again once V8 had time to collect what the load phases left (the target is checked on the first reading).
    const idleSeconds = 20;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const memoryIdle = keep('memoryIdle', { ...(await server.memory()), idleSeconds });
    const serverExitCode = await progress.phase('stop server (SIGTERM)', () => server.stop());
    stopped = true;
    const logged = (await readFile(path.join(config.workDir, 'server.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== '').length;
    notes.push(logged === 0 ? 'The server logged no warning or error.' : `The server logged ${logged} warning or error lines: see .bench/server.log.`);
    const disk = await diskUsage(dataDir);
    const { findings: findingsStored, versions: versionsStored } = storedCounts(dataDir);
    return {
      startedAt,
      machine,
      dataset: { manifest: dataset.manifest, reused: dataset.reused },
      import: imported,
      bareRead,
      startupMs: server.startupMs,
      facetsLoadedMs: facetsMs,
      search,
      overview,
      access,
      duckdb,
      singleIngest,
      batchIngest,
      arrival,
      arrivalBusy,
      fsync: fsyncBaseline,
      memory,
      memoryIdle,
      disk,
      findingsStored,
      versionsStored,
      serverExitCode,
      phases: progress.durations,
      notes,
      totalSeconds: progress.elapsedSeconds,
    };
  } finally {
    if (!stopped) await server.stop(30_000);
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const progress = new Progress();
  await mkdir(config.workDir, { recursive: true });
  const storeAt = process.argv.indexOf('--store');
  if (storeAt >= 0) {
    const store = process.argv[storeAt + 1];
    if (store !== 'postgres') throw new Error(`--store takes "postgres" (the embedded store is the default run), not "${store ?? ''}"`);
    const results = await runPostgresBench(config, progress);
    const markdown = renderPostgresReport(results);
    await writeFile(path.join(config.workDir, 'postgres-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(path.join(config.workDir, 'postgres-report.md'), markdown);
    process.stdout.write(markdown);
    return;
  }
  if (process.argv.includes('--store-choice')) {
    const result = await runStoreChoice(config, progress);
    await writeFile(path.join(config.workDir, 'store-choice.json'), `${JSON.stringify(result.results, null, 2)}\n`);
    await writeFile(path.join(config.workDir, 'store-choice.md'), result.markdown);
    process.stdout.write(result.markdown);
    return;
  }
  const measureAlertLatency = () =>
    progress.phase('alert latency', () =>
      measureAlerts(config.root, config.workDir, config.bootstrapKey, { rules: 50, backgroundPerSecond: 100, probesPerSecond: 5, seconds: Number(process.env['BENCH_ALERT_SECONDS'] || 30) }),
    );
  if (process.argv.includes('--alerts')) {
    await progress.phase('build', () => buildProject(config.root));
    const alerts = await measureAlertLatency();
    await writeFile(path.join(config.workDir, 'alerts.json'), `${JSON.stringify(alerts, null, 2)}\n`);
    process.stdout.write(renderAlerts(alerts));
    return;
  }
  const measureRetentionPass = () => progress.phase('retention pass under load', () => measureRetention(config, progress));
  if (process.argv.includes('--retention')) {
    await progress.phase('build', () => buildProject(config.root));
    const retention = await measureRetentionPass();
    await writeFile(path.join(config.workDir, 'retention.json'), `${JSON.stringify(retention, null, 2)}\n`);
    process.stdout.write(renderRetention(retention));
    return;
  }
  const results = await runMain(config, progress);
  // After the main run (which builds dist/ first), on their own data folders.
  const alerts = await measureAlertLatency();
  await writeFile(path.join(config.workDir, 'alerts.json'), `${JSON.stringify(alerts, null, 2)}\n`);
  const retention = await measureRetentionPass();
  await writeFile(path.join(config.workDir, 'retention.json'), `${JSON.stringify(retention, null, 2)}\n`);
  const markdown = `${renderReport(results)}\n${renderAlerts(alerts)}\n${renderRetention(retention)}`;
  await writeFile(path.join(config.workDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(config.workDir, 'report.md'), markdown);
  process.stdout.write(markdown);
  progress.note(`results in ${path.join(config.workDir, 'results.json')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
