// A page sorted by `updatedAt` whose rows the in-memory facets chose equals, row for row and cursor for cursor, the
// page SQL finds alone — with many findings sharing one `updatedAt` (so ties at the page's edge and at the cursor
// are ordered by account, region and id), narrow and wide account scopes, time windows, and both orders.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { finding } from '../../../test/fixtures/findings.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundNode, BoundQuery } from '../../query/bound.js';
import { parseQuery } from '../../query/parser.js';
import { andScope, oneOf } from '../../query/scope.js';
import type { SearchRequest } from '../finding-store.js';
import { facetPageCandidates, facetSearch, MAX_PAGE_CANDIDATES } from '../facets/facet-page.js';
import { SqliteFacetSource } from './facet-source.js';
import { SQLITE_SEMANTICS } from './sqlite-semantics.js';
import { FindingFacets } from '../facets/finding-facets.js';
import { FacetedFindingStore } from '../facets/faceted-store.js';
import { search } from './search.js';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const ACCOUNTS = Array.from({ length: 30 }, (_, i) => String(200_000_000_000 + i));
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

describe('pages chosen by the facets', () => {
  let dir: string;
  let store: SqliteStore;
  let facets: FindingFacets;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-facet-page-'));
    store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    // 1,200 findings over only 40 distinct times: every page edge is a tie.
    const findings = Array.from({ length: 1200 }, (_, i) =>
      finding({
        id: `f-${(i * 7919) % 1200}`,
        accountId: ACCOUNTS[i % ACCOUNTS.length]!,
        region: REGIONS[i % REGIONS.length]!,
        severity: (i % 9) + 1,
        type: i % 4 === 0 ? 'Recon:EC2/PortProbeUnprotectedPort' : 'UnauthorizedAccess:EC2/SSHBruteForce',
        updatedAt: new Date(T0 + (i % 40) * 60_000).toISOString(),
      }),
    );
    await store.upsert(findings, T0 + 3_600_000);
    facets = new FindingFacets(new SqliteFacetSource(store.db));
    await facets.loading;
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every page of a walk through the results, by SQL alone or with the facets' candidates. */
  function walk(request: SearchRequest, withFacets: boolean): string[][] {
    const pages: string[][] = [];
    let after: SearchRequest['after'];
    for (let n = 0; n < 2_000; n++) {
      const r: SearchRequest = { ...request, ...(after && { after }) };
      const candidates = withFacets
        ? facetPageCandidates(facets.columns, SQLITE_SEMANTICS, r.query as BoundQuery, {
            ...(r.from !== undefined && { from: r.from }),
            ...(r.to !== undefined && { to: r.to }),
            order: r.sort.order,
            ...(r.after !== undefined && { after: r.after.value as number }),
            wanted: r.size + 1,
          })
        : undefined;
      if (withFacets) assert.ok(candidates !== undefined, 'the facets can choose this page');
      const page = search(store.db, r, candidates ? { candidates } : {});
      pages.push(page.findings.map((f) => `${f.key.accountId}/${f.key.region}/${f.key.id}@${f.times?.updatedAt}`));
      if (!page.next) return pages;
      after = page.next;
    }
    throw new Error('no last page');
  }

  const scopes: Array<[string, BoundNode | undefined]> = [
    ['no scope', undefined],
    ['3 accounts', oneOf('accountId', ACCOUNTS.slice(0, 3))],
    ['27 accounts', oneOf('accountId', ACCOUNTS.slice(3))],
  ];

  for (const [label, scope] of scopes) {
    for (const q of ['', 'severity >= 7', 'type:Recon* and region:(us-east-1 or ap-northeast-1)']) {
      for (const order of ['desc', 'asc'] as const) {
        for (const size of [3, 7, 50]) {
          test(`${label}, "${q}", ${order}, pages of ${size}`, () => {
            const bound = bindQuery(parseQuery(q), { now: T0 });
            const query = scope === undefined ? bound : andScope(bound, scope);
            const window = size === 7 ? { from: T0 + 5 * 60_000, to: T0 + 30 * 60_000 } : {};
            const request: SearchRequest = { query, size, sort: { field: 'updatedAt', order }, ...window };
            const bySql = walk(request, false);
            assert.ok(bySql.flat().length > 0);
            assert.deepEqual(walk(request, true), bySql);
          });
        }
      }
    }
  }

  test('the facets choose the page only when a walk would meet the matches rarely, and count either way', () => {
    const dense = bindQuery(parseQuery('severity >= 2'), { now: T0 });
    const sparse = andScope(bindQuery(parseQuery('severity >= 7'), { now: T0 }), oneOf('accountId', ACCOUNTS.slice(0, 1)));
    const request = { order: 'desc' as const, wanted: 51, cap: 10_000 };
    const denseAnswer = facetSearch(facets.columns, SQLITE_SEMANTICS, dense, request)!;
    assert.equal(denseAnswer.candidates, undefined, 'a walk meets a dense query\'s page at once');
    assert.equal(denseAnswer.counted, search(store.db, { query: dense, size: 1, sort: { field: 'updatedAt', order: 'desc' } }).total);
    const sparseAnswer = facetSearch(facets.columns, SQLITE_SEMANTICS, sparse, request)!;
    assert.ok(sparseAnswer.candidates !== undefined, 'a sparse query\'s page is chosen in memory');
    assert.equal(sparseAnswer.counted, search(store.db, { query: sparse, size: 1, sort: { field: 'updatedAt', order: 'desc' } }).total);
    // A count stopped at its cap early, yet sparse: a second pass collects the page.
    const capped = facetSearch(facets.columns, SQLITE_SEMANTICS, dense, { ...request, cap: 10 }, 'facets')!;
    assert.equal(capped.counted, 11);
    assert.ok(capped.candidates !== undefined && capped.candidates.beyond.length >= 51);
  });

  test('a store with facets reads a sparse page from the facets\' choice, and it equals SQL\'s', async () => {
    const served = new FacetedFindingStore(store, { source: new SqliteFacetSource(store.db) });
    try {
      await served.facetsLoaded;
      const query = andScope(bindQuery(parseQuery('severity >= 7'), { now: T0 }), oneOf('accountId', ACCOUNTS.slice(0, 1)));
      const request: SearchRequest = { query, size: 50, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 10_000 };
      const page = await served.search(request);
      assert.equal(served.facetAnswers.pages, 1);
      const bySql = search(store.db, request);
      assert.deepEqual(page.findings.map((f) => f.key), bySql.findings.map((f) => f.key));
      assert.equal(page.total, bySql.total);
    } finally {
      await served.catchUp();
    }
  });

  test('ties beyond the bound leave the page to SQL', () => {
    const query = bindQuery(parseQuery(''), { now: T0 });
    // 30 findings share each time: a page of 5 whose edge ties 30 rows, with room for 20 candidates.
    assert.equal(facetPageCandidates(facets.columns, SQLITE_SEMANTICS, query, { order: 'desc', wanted: 5, maxCandidates: 20 }), undefined);
    assert.equal(facetPageCandidates(facets.columns, SQLITE_SEMANTICS, query, { order: 'desc', wanted: 5, maxCandidates: 30 })?.beyond.length, 30);
    assert.ok(MAX_PAGE_CANDIDATES >= 1_000);
  });

  test('a candidate that no longer matches sends the page back to SQL', () => {
    const query = bindQuery(parseQuery('severity >= 7'), { now: T0 });
    const request: SearchRequest = { query, size: 5, sort: { field: 'updatedAt', order: 'desc' } };
    const real = search(store.db, request);
    // Rows that do not match (severity below 7) offered as the candidates: the page must not be short or wrong.
    const wrong = store.db.prepare('SELECT rowid FROM findings WHERE severity < 7 LIMIT 10').pluck().all() as number[];
    const page = search(store.db, request, { candidates: { atCursor: [], beyond: wrong } });
    assert.deepEqual(page.findings.map((f) => f.key.id), real.findings.map((f) => f.key.id));
  });
});
