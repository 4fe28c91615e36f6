// Probe (not committed): facet aggregation and page cost, admin vs scopes; min of runs (robust to a busy machine).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateFindingVersions } from './src/demo/generate.js';
import { normalizeFinding } from './src/findings/normalize.js';
import { bindQuery } from './src/query/bind.js';
import { parseQuery } from './src/query/parser.js';
import { andScope, oneOf } from './src/query/scope.js';
import { facetAggregate } from './src/store/facets/facet-aggregate.js';
import { facetCount } from './src/store/facets/facet-filter.js';
import { facetPageCandidates } from './src/store/facets/facet-page.js';
import { SqliteFacets } from './src/store/sqlite/facet-source.js';
import { SqliteStore } from './src/store/sqlite/sqlite-store.js';
import { search } from './src/store/sqlite/search.js';
import { OVERVIEW_AGGS } from './bench/overview-request.js';

const N = Number(process.env.N ?? 200000);
const NOW = Date.now();
const dir = await mkdtemp(path.join(tmpdir(), 'probe-'));
const store = new SqliteStore({ file: path.join(dir, 'y.db') });
const acc = new Map<string, string>();
const accountOf = (id: string) => { let a = acc.get(id); if (!a) acc.set(id, (a = String(100000000000 + (acc.size % 2000)))); return a; };
let batch = [];
for (const d of generateFindingVersions({ seed: 5, findings: N, accounts: 40, types: 100, days: 30, updatedShare: 0.3, now: NOW })) {
  const r = normalizeFinding({ ...d, accountId: accountOf(String(d['id'])) });
  if (r.ok) batch.push(r.finding);
  if (batch.length === 10000) { await store.upsert(batch, NOW); batch = []; }
}
await store.upsert(batch, NOW);
const facets = new SqliteFacets(store.db);
await facets.load(() => false);
const all = [...new Set(acc.values())].sort();
const scopes = { admin: undefined, narrow: oneOf('accountId', all.filter((_, i) => i % 10 === 0)), wide: oneOf('accountId', all.slice(0, all.length - 100)) };
const minOf = (f: () => unknown, n = 15) => { let m = Infinity; for (let i = 0; i < n; i++) { const s = performance.now(); f(); m = Math.min(m, performance.now() - s); } return m; };
for (const [name, scope] of Object.entries(scopes)) {
  const q = (text: string) => { const b = bindQuery(parseQuery(text), { now: NOW }); return scope ? andScope(b, scope) : b; };
  const from = NOW - 7 * 86400000;
  const ov = minOf(() => facetAggregate(facets.columns, { query: q(''), aggs: OVERVIEW_AGGS, from }));
  const parts: string[] = [`${name.padEnd(6)} overview=${ov.toFixed(1)}`];
  for (const text of ['severity >= 7', 'type:UnauthorizedAccess*', 'region:eu-west-1 and band:Critical', '']) {
    const query = q(text);
    const req = { query, size: 50, sort: { field: 'updatedAt' as const, order: 'desc' as const }, trackTotalUpTo: 10000 };
    const count = minOf(() => facetCount(facets.columns, query, undefined, undefined, 10000));
    const cand = minOf(() => facetPageCandidates(facets.columns, query, { order: 'desc', wanted: 51 }));
    const counted = facetCount(facets.columns, query, undefined, undefined, 10000)!;
    const candidates = facetPageCandidates(facets.columns, query, { order: 'desc', wanted: 51 });
    const sqlOnly = minOf(() => search(store.db, req, { counted }));
    const withCand = minOf(() => search(store.db, req, { counted, ...(candidates && { candidates }) }));
    parts.push(`[${text.slice(0, 12) || '*'}] count=${count.toFixed(2)} cand=${cand.toFixed(2)} sql=${sqlOnly.toFixed(2)} page=${withCand.toFixed(2)}`);
  }
  console.log(parts.join('  '));
}
await store.close();
