// The store-choice results as a Markdown table, SQLite and DuckDB side by side.
import type { StoreChoiceResults } from '../store-choice.js';
import type { LatencySummary } from '../stats.js';
import type { ContenderResult } from './measure.js';

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

function ms(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? `${int(n)} ms` : n >= 1 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`;
}

function lat(l: LatencySummary): string {
  return `${ms(l.p50)} / ${ms(l.p99)}`;
}

export function renderStoreChoice(r: StoreChoiceResults): string {
  const m = r.machine;
  const [a, b] = r.contenders as [ContenderResult, ContenderResult];
  const rows: Array<[string, string, string]> = [
    ['Bulk upsert, batches of 10,000 (versions/s)', int(a.load10k.perSecond), int(b.load10k.perSecond)],
    ['… commit of one 10,000 batch, p50 / p99', lat(a.load10k.batchMs), lat(b.load10k.batchMs)],
    ['Upsert, batches of 100 into the loaded store (versions/s)', int(a.batch100.perSecond), int(b.batch100.perSecond)],
    ['… commit of one 100 batch, p50 / p99', lat(a.batch100.batchMs), lat(b.batch100.batchMs)],
    ['Single-finding upsert (one durable transaction), p50 / p99', lat(a.single.batchMs), lat(b.single.batchMs)],
    ['… single upserts per second, one writer', int(a.single.perSecond), int(b.single.perSecond)],
    ['Re-delivery of 10,000 stored versions (all duplicates)', ms(a.redeliveryMs), ms(b.redeliveryMs)],
    [`Late older versions (${int(a.lateOlder.versions)} versions, newest first), correct current`, `${ms(a.lateOlder.ms)}, ${a.lateOlder.correct ? 'yes' : 'NO'}`, `${ms(b.lateOlder.ms)}, ${b.lateOlder.correct ? 'yes' : 'NO'}`],
    ['Point lookup by key with history, p50 / p99', lat(a.lookup), lat(b.lookup)],
    ...a.searches.map((s, i): [string, string, string] => {
      const d = b.searches[i]!;
      return [`Search top 50 "${s.name}" (hits ${int(s.total)} / ${int(d.total)}), p50 / p99`, lat(s.latency), lat(d.latency)];
    }),
    ['Overview, 8 aggregations over 7 days, p50 / p99', lat(a.overview.latency), lat(b.overview.latency)],
    ['… band counts', JSON.stringify(a.overview.bands), JSON.stringify(b.overview.bands)],
    ['Findings / versions stored', `${int(a.findings)} / ${int(a.versions)}`, `${int(b.findings)} / ${int(b.versions)}`],
    ['Database on disk (after checkpoint)', `${(a.diskBytes / 2 ** 20).toFixed(0)} MB`, `${(b.diskBytes / 2 ** 20).toFixed(0)} MB`],
  ];
  const out = [
    `# Store choice: SQLite versus DuckDB, ${r.startedAt.slice(0, 10)}`,
    '',
    `${int(r.findings)} generated findings (${int(a.load10k.versions)} versions) into each store. ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB; Node ${m.node}; better-sqlite3 ${m.betterSqlite3} (SQLite ${m.sqlite}); @duckdb/node-api ${m.duckdbNodeApi} (DuckDB ${m.duckdb}).`,
    '',
    `| Measure | ${a.name} | ${b.name} |`,
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`),
    '',
    'Machine busy during each phase (any process): ' + r.phases.map((p) => `${p.phase} ${Math.round(p.machineBusy * 100)}%`).join(', ') + '.',
    '',
  ];
  return out.join('\n');
}
