// A read restricted to a set of accounts (as a caller's scope will restrict every read) is answered from the
// in-memory facets when the rest of its query is on facet fields, and equals the SQL path's answer to the digit.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateFindingVersions } from '../../demo/generate.js';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundNode, BoundQuery } from '../../query/bound.js';
import { parseQuery } from '../../query/parser.js';
import { andScope, oneOf } from '../../query/scope.js';
import type { Aggregation, AggregationRequest, BucketResult } from '../aggregation.js';
import { facetAggregate } from '../facets/facet-aggregate.js';
import { facetCount } from '../facets/facet-filter.js';
import { aggregate } from './aggregate.js';
import { SqliteFacetSource } from './facet-source.js';
import { SQLITE_SEMANTICS } from './sqlite-semantics.js';
import { FindingFacets } from '../facets/finding-facets.js';
import { whereClause } from './search.js';
import { SqliteStore } from './sqlite-store.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

const OVERVIEW: Readonly<Record<string, Aggregation>> = {
  bands: { terms: { field: 'band', size: 4 } },
  types: { terms: { field: 'type', size: 10 } },
  accounts: { terms: { field: 'accountId', size: 1000 } },
  regions: { terms: { field: 'region', size: 17 } },
  hourlyByBand: { terms: { field: 'band', size: 4 }, aggs: { hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } } } },
  severity: { stats: { field: 'severity' } },
  remoteIps: { terms: { field: 'remoteIp', size: 10 }, aggs: { country: { terms: { field: 'remoteCountry', size: 1 } } } },
  ranges: { range: { field: 'severity', ranges: [{ to: 4 }, { from: 4, to: 7 }, { from: 7 }] } },
};

const WINDOWS: Array<{ from?: number; to?: number }> = [{}, { from: NOW - 7 * DAY, to: NOW }, { from: NOW - DAY }];

function normalized(doc: Record<string, unknown>): Finding {
  const r = normalizeFinding(doc);
  if (!r.ok) throw new Error(r.error.message);
  return r.finding;
}

const accountOfId = new Map<string, string>();

/** One of 2,000 account ids, in turn by the finding's id (every version of a finding in the same one). */
function accountOf(id: string): string {
  let account = accountOfId.get(id);
  if (account === undefined) accountOfId.set(id, (account = String(100_000_000_000 + (accountOfId.size % 2000))));
  return account;
}

describe('a read restricted to a set of accounts', () => {
  let dir: string;
  let store: SqliteStore;
  let facets: FindingFacets;
  let scope: BoundNode;
  let allowed: Set<string>;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-scope-'));
    store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    const docs = [...generateFindingVersions({ seed: 11, findings: 8000, accounts: 40, types: 60, days: 30, updatedShare: 0.3, now: NOW })];
    await store.upsert(docs.map((d) => normalized({ ...d, accountId: accountOf(String(d['id'])) })), NOW);
    facets = new FindingFacets(new SqliteFacetSource(store.db));
    await facets.loading;
    const accounts = store.db.prepare('SELECT DISTINCT account_id FROM findings ORDER BY account_id').pluck().all() as string[];
    assert.equal(accounts.length, 2000);
    const chosen = accounts.filter((_, i) => i % 10 === 0).slice(0, 200);
    assert.equal(chosen.length, 200);
    allowed = new Set(chosen);
    scope = oneOf('accountId', chosen);
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const scoped = (q: string): BoundQuery => andScope(bindQuery(parseQuery(q), { now: NOW }), scope);

  test('is answered by the facets, exactly as SQL answers it, alone or AND-ed with a query on facet fields', () => {
    for (const q of ['', 'band >= High', 'type:Recon* or not archived:true', 'updatedAt > now-3d and region:(us-east-1 or eu-west-1)']) {
      for (const window of WINDOWS) {
        const request: AggregationRequest = { query: scoped(q), aggs: OVERVIEW, ...window };
        const fromMemory = facetAggregate(facets.columns, SQLITE_SEMANTICS, request);
        assert.ok(fromMemory !== undefined, `the facets answer ${q} ${JSON.stringify(window)}`);
        assert.deepEqual(fromMemory, aggregate(store.db, request), `${q} ${JSON.stringify(window)}`);
      }
    }
  });

  test('sees only the allowed accounts', () => {
    const request: AggregationRequest = { query: scoped(''), aggs: OVERVIEW };
    const answer = facetAggregate(facets.columns, SQLITE_SEMANTICS, request)!;
    const whole = facetAggregate(facets.columns, SQLITE_SEMANTICS, { query: parseQuery(''), aggs: OVERVIEW })!;
    assert.ok(answer.total > 0 && answer.total < whole.total / 5, `${answer.total} of ${whole.total}`);
    const buckets = (answer.aggregations['accounts'] as BucketResult).buckets;
    assert.ok(buckets.length > 100);
    for (const b of buckets) assert.ok(allowed.has(String(b.key)), String(b.key));
  });

  test('counts search totals from the facets as SQL counts them', () => {
    for (const q of ['', 'severity >= 7', 'not accountId:*1*']) {
      const where = whereClause({ query: scoped(q), from: NOW - 7 * DAY });
      const sql = store.db.prepare(`SELECT count(*) FROM findings f WHERE ${where.sql}`).pluck().get(...where.params) as number;
      assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, scoped(q), NOW - 7 * DAY, undefined, Number.POSITIVE_INFINITY, 1000), sql, q);
    }
  });

  test('goes to SQL, still restricted, when the query needs it', async () => {
    const request: AggregationRequest = { query: scoped('tor or service.count > 1'), aggs: { accounts: { terms: { field: 'accountId', size: 1000 } } } };
    assert.equal(facetAggregate(facets.columns, SQLITE_SEMANTICS, request), undefined);
    const answer = await store.aggregate(request);
    for (const b of (answer.aggregations['accounts'] as BucketResult).buckets) assert.ok(allowed.has(String(b.key)), String(b.key));
  });

  test('an empty scope selects nothing on either path', () => {
    const request: AggregationRequest = { query: andScope(bindQuery(parseQuery('')), oneOf('accountId', [])), aggs: { b: { terms: { field: 'band' } } } };
    const fromMemory = facetAggregate(facets.columns, SQLITE_SEMANTICS, request);
    assert.deepEqual(fromMemory, aggregate(store.db, request));
    assert.equal(fromMemory?.total, 0);
  });
});
