// The in-memory facets on SQLite: the facets' conformance, counting in ranges of a few slots, what they leave to SQL,
// and the server's store answering through them.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateFindingVersions } from '../../demo/generate.js';
import { parseQuery } from '../../query/parser.js';
import type { AggregationRequest } from '../aggregation.js';
import { facetAggregate } from '../facets/facet-aggregate.js';
import { aggregate } from './aggregate.js';
import { SqliteFacetSource } from './facet-source.js';
import { SQLITE_SEMANTICS } from './sqlite-semantics.js';
import { FindingFacets } from '../facets/finding-facets.js';
import { facetCount } from '../facets/facet-filter.js';
import { whereClause } from './search.js';
import { all, DAY, describeFacets, normalized, NOW, oddFindings, REQUESTS, WINDOWS } from '../facets/facets.conformance.js';
import { SqliteStore } from './sqlite-store.js';
import { FacetedFindingStore } from '../facets/faceted-store.js';
import type { FacetSource } from '../facets/facet-source.js';

describeFacets('SQLite', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-facets-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store,
    source: new SqliteFacetSource(store.db),
    async close(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('in-memory facets', () => {
  let dir: string;
  let store: SqliteStore;
  let facets: FindingFacets;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-facets-'));
    store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    const docs = [...generateFindingVersions({ seed: 7, findings: 3000, accounts: 40, types: 60, days: 30, updatedShare: 0.3, now: NOW })];
    // Half before the facets load, half after: the second half reaches them through refreshes.
    const findings = docs.map(normalized);
    await store.upsert(findings.slice(0, 2000), NOW);
    facets = new FindingFacets(new SqliteFacetSource(store.db));
    await facets.loading;
    for (const batch of [findings.slice(2000), oddFindings()]) {
      const { slots } = await store.upsertSlots(batch, NOW);
      await facets.refresh(slots);
    }
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('load again after a failed load, answering by SQL meanwhile', async () => {
    const source = new SqliteFacetSource(store.db);
    let failures = 1;
    const flaky: FacetSource = {
      semantics: source.semantics,
      slotLimit: () => (failures-- > 0 ? Promise.reject(new Error('the database did not answer')) : source.slotLimit()),
      slice: (from, to) => source.slice(from, to),
      read: (slots) => source.read(slots),
    };
    const errors: unknown[] = [];
    const again = new FindingFacets(flaky, (error) => errors.push(error), 10);
    try {
      await again.loading;
      assert.equal(again.isReady, false);
      assert.equal(again.aggregate({ query: all, aggs: REQUESTS['overview']! }), undefined, 'SQL answers while not loaded');
      for (let i = 0; i < 200 && !again.isReady; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(again.isReady, true, 'loaded at the second try');
      assert.equal(errors.length, 1);
      const request: AggregationRequest = { query: all, aggs: REQUESTS['overview']! };
      assert.deepEqual(again.aggregate(request), aggregate(store.db, request));
    } finally {
      await again.stop();
    }
  });

  test('leave queries, fields and invalid requests to SQL', () => {
    const refused: AggregationRequest[] = [
      { query: parseQuery('severity >= 7 and tor'), aggs: { b: { terms: { field: 'band' } } } },
      { query: all, aggs: { c: { date_histogram: { field: 'createdAt', interval: '1d' } } } },
      { query: all, aggs: { t: { terms: { field: 'title' } } } },
      { query: all, aggs: { t: { terms: { field: 'type', size: 0 } } } },
      { query: all, aggs: { h: { date_histogram: { field: 'updatedAt', interval: '1x' } } } },
      { query: all, aggs: { h: { date_histogram: { field: 'updatedAt', interval: '1s' } } } },
      { query: all, aggs: { t: { terms: { field: 'type' }, aggs: { u: { terms: { field: 'region' }, aggs: { v: { terms: { field: 'band' } } } } } } } },
      { query: all, aggs: {} },
    ];
    for (const request of refused) assert.equal(facetAggregate(facets.columns, SQLITE_SEMANTICS, request), undefined, JSON.stringify(request.aggs));
  });

  test('count the findings a query on their fields matches exactly as SQL does', () => {
    const queries = [
      '', 'band >= High', 'band:Critical or band:Low', 'not band:Low', 'severity >= 7', 'severity < 4.5 and not archived:true',
      'archived:true', 'archived:FALSE', 'type:Recon*', 'type:*Tor*', 'type:*', 'type:*plain', 'type:Odd*plain', 'type:*EC2*Zed', 'type:*ed', 'type:"Odd:EC2/plain"', 'type > "Recon" and type <= "Trojan"',
      'accountId:999900001111 and region:eu-west-1', 'resourceType:Instance and actionType:NETWORK_CONNECTION', 'not resourceType:*',
      'resourceId:i-empty or resourceType:Zed', 'remoteCountry:*', 'not remoteOrg:*', 'remoteIp:198.51.100.1', 'remoteIp:198.51.100.*',
      'remoteCountry:"\u{1F600}emoji" or remoteOrg:Org', 'remoteIp > "198.51.100.1"', 'sample:true', 'type:(Recon* or Odd*) and not severity >= 5',
    ];
    for (const q of queries) {
      for (const window of WINDOWS) {
        const where = whereClause({ query: parseQuery(q), ...window });
        const sql = (store.db.prepare(`SELECT count(*) AS n FROM findings f WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
        assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, parseQuery(q), window.from, window.to, Number.POSITIVE_INFINITY), sql, `${q} ${JSON.stringify(window)}`);
        // In ranges of a few slots, so that every condition is read across range boundaries.
        assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, parseQuery(q), window.from, window.to, Number.POSITIVE_INFINITY, 7), sql, `${q} ${JSON.stringify(window)} in ranges`);
      }
    }
    assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, all, undefined, undefined, 10), 11, 'counting stops past the cap');
    assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, all, undefined, undefined, 10, 3), 11, 'counting stops past the cap, in ranges');
  });

  test('leave free text, document paths, times and values SQL refuses to SQL', () => {
    for (const q of ['tor', 'band:Low and tor', 'service.count > 2', 'createdAt > now-1d', 'count:3', 'title:x', 'band:Severe', 'severity:high', 'band:Hi*', 'archived:maybe', 'severity:1*']) {
      assert.equal(facetCount(facets.columns, SQLITE_SEMANTICS, parseQuery(q), undefined, undefined, 100), undefined, q);
    }
  });

  test('answer through the store once loaded, and follow its writes, in a store that keeps facets', async () => {
    const inner = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    const kept = new FacetedFindingStore(inner, { source: new SqliteFacetSource(inner.db) });
    try {
      await kept.facetsLoaded;
      const request: AggregationRequest = { query: all, aggs: REQUESTS['overview']!, from: NOW - 7 * DAY, to: NOW };
      assert.deepEqual(await kept.aggregate(request), aggregate(store.db, request));
      const update = normalized({
        accountId: '999900001111', region: 'eu-west-1', id: 'odd2', type: 'Odd:EC2/updated', severity: 9.5,
        createdAt: '2026-11-19T00:00:00Z', updatedAt: '2026-11-19T11:00:00Z', resource: { resourceType: 'Updated' }, service: { count: 2 },
      });
      const fresh = normalized({ ...update.doc, id: 'fresh', type: 'Fresh:EC2/created', severity: 3 });
      await kept.upsert([update, fresh], NOW);
      for (const aggs of Object.values(REQUESTS)) {
        const answers = kept.facetAnswers.aggregations;
        const wide: AggregationRequest = { query: all, aggs };
        assert.deepEqual(await kept.aggregate(wide), aggregate(store.db, wide));
        assert.equal(kept.facetAnswers.aggregations, answers + 1, 'the facets answered');
      }
      const totals = kept.facetAnswers.totals;
      const page = await kept.search({ query: parseQuery('type:Fresh* or type:"Odd:EC2/updated"'), size: 1, sort: { field: 'updatedAt', order: 'desc' } });
      assert.equal(page.total, 2);
      assert.equal(kept.facetAnswers.totals, totals + 1, 'the facets counted the total');
    } finally {
      await kept.close();
    }
  });
});
