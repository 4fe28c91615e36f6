// Renders one run's results as the Markdown report `npm run bench` prints.
import { renderAccess } from './access-phase.js';
import type { LatencySummary } from './stats.js';
import { checkTargets, type BenchResults } from './results.js';

const MB = 1024 * 1024;

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

function ms(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? `${Math.round(n).toLocaleString('en-US')} ms` : `${n.toFixed(1)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

function pcts(l: LatencySummary): string[] {
  return [String(l.n), ms(l.p50), ms(l.p99), ms(l.max)];
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const ds = r.dataset.manifest;
  const out: string[] = [];
  out.push(`# Yagura benchmark, ${r.startedAt.slice(0, 10)}`);
  out.push('');
  out.push(`${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; better-sqlite3 ${m.betterSqlite3} (SQLite ${m.sqlite}); @duckdb/node-api ${m.duckdbNodeApi} (DuckDB ${m.duckdb}). Total run ${(r.totalSeconds / 60).toFixed(1)} min.`);
  out.push('');
  // The machine's own baselines, measured in this run: figures from different machines compare through them.
  const baselines = [
    r.bareRead ? `single-thread gunzip + JSON.parse ${int(r.bareRead.linesPerSecond)} lines/s` : undefined,
    r.fsync ? `fsync of a 4 KiB append p50 ${ms(r.fsync.latency.p50)}, p99 ${ms(r.fsync.latency.p99)} (${r.fsync.appends} appends)` : undefined,
  ].filter((b) => b !== undefined);
  if (baselines.length > 0) {
    out.push(`Machine baselines (this run): ${baselines.join('; ')}.`);
    out.push('');
  }
  out.push('## Targets');
  out.push('');
  out.push(table(['Figure', 'Target', 'Measured', 'Result'], checkTargets(r).map((t) => [t.name, t.target, t.measured, t.pass ? 'PASS' : 'MISS'])));
  out.push('');
  out.push('## Data set');
  out.push('');
  out.push(
    `${int(ds.params.findings)} findings (${int(ds.versions)} versions: ${Math.round(ds.params.updatedShare * 100)}% updated 2–6 times) over ${ds.params.days} days, ` +
      `${int(ds.params.accounts)} accounts, ${ds.params.regions.length} regions, ${ds.params.types} types, seed ${ds.params.seed}; ` +
      `${int(ds.files)} export objects, ${mb(ds.compressedBytes)} gzipped. ${r.dataset.reused ? 'Reused from an earlier run' : `Generated in ${ds.generatedSeconds.toFixed(0)} s`} (now = ${new Date(ds.now).toISOString()}).`,
  );
  out.push('');
  out.push(`## Import (\`yagura import\` code path, data folder${r.import.batchSize ? `, batches of ${r.import.batchSize.toLocaleString('en-US')}` : ''})`);
  out.push('');
  const s = r.import.summary;
  out.push(table(['Measure', 'Value'], [
    ['Versions read (export lines)', int(s.read)],
    ['Created / updated / unchanged / rejected', `${int(s.created)} / ${int(s.updated)} / ${int(s.unchanged)} / ${int(s.rejected)}`],
    ['Time', `${r.import.seconds.toFixed(1)} s`],
    ['Import rate', `${int(r.import.versionsPerSecond)} versions/s (${int(s.created / r.import.seconds)} distinct findings/s)`],
    ['Bare gunzip + readline + JSON.parse', r.bareRead === undefined ? 'not measured (see notes)' : `${int(r.bareRead.linesPerSecond)} lines/s (${int(r.bareRead.lines)} lines of ${int(r.bareRead.filesRead)} of ${int(r.bareRead.files)} objects in ${r.bareRead.seconds.toFixed(1)} s${r.bareRead.capped ? ', time-capped sample' : ''})`],
  ]));
  out.push('');
  out.push('## Start-up');
  out.push('');
  out.push(`\`node dist/cli/main.js serve\` on the imported folder: ${ms(r.startupMs)} from spawn until \`GET /health\` answered; the in-memory facets were loaded ${ms(r.facetsLoadedMs)} after spawn (until then the overview is answered by SQL).`);
  out.push('');
  out.push('## Search (`GET /api/v1/findings`, size 50, sort updatedAt:desc, one client)');
  out.push('');
  out.push(table(
    ['Class', 'q', 'from', 'Hits (10,000 = at least)', 'First', 'n', 'p50', 'p99', 'max', 'Refused (503)'],
    [
      ...r.search.classes.map((c) => [c.name, `\`${c.q}\``, c.from ?? '', int(c.total), ms(c.firstMs), ...pcts(c.latency), String(c.refused)]),
      ['**All**', '', '', '', '', ...pcts(r.search.overall), String(r.search.refused)],
    ],
  ));
  out.push('');
  out.push('## Overview (one `POST /api/v1/aggregate`, from now-7d, 8 aggregations)');
  out.push('');
  out.push(table(['Engine', 'Runs', 'p50', 'p99', 'max', 'Findings in 7 d', 'Bands'], [
    ['Yagura (SQLite, HTTP)', String(r.overview.latency.n), ms(r.overview.latency.p50), ms(r.overview.latency.p99), ms(r.overview.latency.max), int(r.overview.total), JSON.stringify(r.overview.bands)],
    ['DuckDB over the archive (read + latest version + 8 aggregations)', String(r.duckdb.runs), ms(r.duckdb.latency.p50), ms(r.duckdb.latency.p99), ms(r.duckdb.latency.max), int(r.duckdb.total), JSON.stringify(r.duckdb.bands)],
    ['… of which reading the JSON', '', ms(r.duckdb.loadMs.p50), ms(r.duckdb.loadMs.p99), ms(r.duckdb.loadMs.max), '', ''],
    ['… of which the 8 aggregations', '', ms(r.duckdb.aggregateMs.p50), ms(r.duckdb.aggregateMs.p99), ms(r.duckdb.aggregateMs.max), '', ''],
  ]));
  out.push('');
  out.push(`First (cold) Yagura overview: ${ms(r.overview.firstMs)}; refused with 503 OVERLOADED: ${r.overview.refused}. DuckDB saw ${int(r.duckdb.findings)} findings in the archive. Top remote IP — Yagura: ${r.overview.topRemoteIps[0]?.key ?? '–'} (${int(r.overview.topRemoteIps[0]?.doc_count ?? Number.NaN)}), DuckDB: ${r.duckdb.topRemoteIps[0]?.key ?? '–'} (${int(r.duckdb.topRemoteIps[0]?.doc_count ?? Number.NaN)}).`);
  out.push('');
  out.push('## HTTP ingest (`POST /api/v1/events`, EventBridge envelopes of new findings)');
  out.push('');
  out.push(table(['Mode', 'Clients', 'Requests', 'Time', 'Requests/s', 'Findings/s', 'p50', 'p99', 'Failed'], [r.singleIngest, r.batchIngest].map((i) => [
    i.batchSize === 1 ? 'one event per request' : `${i.batchSize} events per request`,
    String(i.clients), int(i.requests), `${i.seconds.toFixed(1)} s`, int(i.requestsPerSecond), int(i.findingsPerSecond), ms(i.latency.p50), ms(i.latency.p99),
    i.failed > 0 ? `${i.failed} (${i.firstError ?? ''})` : '0',
  ])));
  out.push('');
  out.push('## Arrival → searchable (paced POSTs, then `GET /api/v1/findings?q=id:"…"` until found)');
  out.push('');
  const a = r.arrival;
  const busy = r.arrivalBusy;
  out.push(table(['Measure', 'n', 'p50', 'p99', 'max'], [
    [`arrival → searchable at ${a.perSecond}/s`, ...pcts(a.latency)],
    ['… of which the POST (durable)', ...pcts(a.postLatency)],
    ...(busy
      ? [[`arrival → searchable at ${busy.perSecond}/s, one core busy`, ...pcts(busy.latency)], ['… of which the POST (durable)', ...pcts(busy.postLatency)]]
      : []),
  ]));
  out.push('');
  for (const [label, x] of busy ? ([['', a], ['One core busy (another process spinning): ', busy]] as const) : ([['', a]] as const)) {
    out.push(`${label}Sent ${int(x.sent)}, missed ${int(x.missed)}${x.firstError ? ` (first: ${x.firstError})` : ''}; ${x.searchesPerFinding.toFixed(2)} searches per finding.`);
    if (x.slowestSecond !== undefined) {
      const s = x.slowestSecond;
      out.push(`Seconds with an arrival over 100 ms: ${x.secondsOver100ms ?? 0}; slowest: second ${s.second} of the phase, ${s.n} findings, p50 ${ms(s.p50)}, max ${ms(s.max)}.`);
    }
    if (x.clientLoopDelayMaxMs !== undefined) out.push(`The benchmark's own event loop was blocked for at most ${ms(x.clientLoopDelayMaxMs)} during the phase.`);
  }
  out.push('');
  out.push('## Memory and disk');
  out.push('');
  const d = r.disk;
  const storeBytes = d.databaseBytes + d.walBytes;
  out.push(table(['Measure', 'Value'], [
    ['Server VmRSS after all phases', `${mb(r.memory.rssBytes)} (anonymous ${mb(r.memory.anonBytes)}, file-backed ${mb(r.memory.fileBytes)})`],
    ...(r.memoryIdle ? [[`Server VmRSS after ${r.memoryIdle.idleSeconds} s idle`, `${mb(r.memoryIdle.rssBytes)} (anonymous ${mb(r.memoryIdle.anonBytes)})`]] : []),
    ['Server VmHWM (peak RSS)', mb(r.memory.hwmBytes)],
    ['Findings / versions stored', `${int(r.findingsStored)} / ${int(r.versionsStored)}`],
    ['yagura.db + -wal', `${mb(d.databaseBytes)} + ${mb(d.walBytes)} = ${int(storeBytes / r.findingsStored)} B/finding, ${int(storeBytes / r.versionsStored)} B/version`],
    ['archive/', `${mb(d.archiveBytes)} in ${int(d.archiveObjects)} objects = ${int(d.archiveBytes / r.findingsStored)} B/finding, ${int(d.archiveBytes / r.versionsStored)} B/version`],
    ['Server exit after SIGTERM', String(r.serverExitCode)],
  ]));
  out.push('');
  out.push('## Phases');
  out.push('');
  out.push('Machine busy: share of both cores in use by any process during the phase (the benchmark, the server, and anything else running on the machine); load: one-minute load average at the end of the phase.');
  out.push('');
  out.push(table(['Phase', 'Seconds', 'Machine busy', 'Load'], r.phases.map((p) => [p.phase, p.seconds.toFixed(1), `${Math.round(p.machineBusy * 100)}%`, p.load1.toFixed(1)])));
  if (r.notes.length > 0) {
    out.push('');
    out.push('## Notes');
    out.push('');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  out.push('');
  if (r.access) {
    out.push('');
    out.push(renderAccess(r.access));
  }
  return out.join('\n');
}
