// The in-memory facets on PostgreSQL: the facets' conformance and the store conformance suite with facets on, sums
// as PostgreSQL's numeric makes them, and facets following other instances' commits through the change log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { finding } from '../../../test/fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { parseQuery } from '../../query/parser.js';
import type { AggregationRequest, BucketResult } from '../aggregation.js';
import { FacetedFindingStore } from '../facets/faceted-store.js';
import { describeFacets, REQUESTS } from '../facets/facets.conformance.js';
import { describeFindingStore } from '../finding-store.conformance.js';
import { storeConfigSchema } from './postgres-config.js';
import { exactDecimal } from './exact-decimal.js';
import { ExactSum } from './postgres-semantics.js';
import { PostgresStore } from './postgres-store.js';

let database: TestDatabase;
let schemas = 0;
before(async () => {
  database = await createTestDatabase('facets');
});
after(async () => database.drop());

async function createSchema(): Promise<string> {
  const schema = `facets_${++schemas}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return schema;
}

function openStore(schema: string): Promise<PostgresStore> {
  return PostgresStore.open({ config: storeConfigSchema.parse({ url: database.url, poolSize: 4 }), schema });
}

describeFacets('PostgreSQL', async () => {
  const store = await openStore(await createSchema());
  return { store, source: store.facetSource(), close: () => store.close() };
});

/** Reads the facets answered over the whole suite: none would mean it only ever exercised the SQL path. */
const answered = { aggregations: 0, totals: 0 };

describeFindingStore('PostgreSQL with in-memory facets', async () => {
  const inner = await openStore(await createSchema());
  const store = new FacetedFindingStore(inner, { source: inner.facetSource() });
  await store.facetsLoaded;
  return {
    store,
    async close(): Promise<void> {
      answered.aggregations += store.facetAnswers.aggregations;
      answered.totals += store.facetAnswers.totals;
      await store.close();
    },
  };
});

after(() => {
  assert.ok(answered.aggregations > 0 && answered.totals > 0, `the facets answered ${JSON.stringify(answered)} of the suite's reads`);
});

test('the exact sum rounds once, as PostgreSQL\'s numeric sum read back as a number does', async () => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // Values whose running double sums lose digits: large and small magnitudes, cancellations, ties.
    let seed = 20261208;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lists: number[][] = [
      [1e16, 1, -1e16, 1],
      [0.1, 0.2, 0.3, -0.6],
      [2 ** 53, 1, 1],
      [1, 2 ** -53, 2 ** -106],
      Array.from({ length: 5000 }, () => 1 + Math.round(random() * 90) / 10),
      Array.from({ length: 2000 }, () => (random() - 0.5) * 10 ** Math.round(random() * 30 - 10)),
    ];
    for (const values of lists) {
      const sum = new ExactSum();
      for (const v of values) sum.add(v);
      const row = await client.query<{ s: string }>('SELECT sum(x)::text AS s FROM unnest($1::numeric[]) AS x', [values.map(exactDecimal)]);
      assert.equal(sum.value, Number(row.rows[0]!.s), values.slice(0, 4).join(', '));
    }
  } finally {
    await client.end();
  }
});

describe('facets of two instances on one database', () => {
  let schema: string;
  let a: FacetedFindingStore<PostgresStore>;
  let b: FacetedFindingStore<PostgresStore>;
  const overview: AggregationRequest = { query: parseQuery(''), aggs: REQUESTS['overview']! };

  before(async () => {
    schema = await createSchema();
    const [x, y] = await Promise.all([openStore(schema), openStore(schema)]);
    a = new FacetedFindingStore(x, { source: x.facetSource() });
    b = new FacetedFindingStore(y, { source: y.facetSource() });
    await Promise.all([a.facetsLoaded, b.facetsLoaded]);
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  test('a finding stored or archived on one instance is counted by the other once it caught up', async () => {
    const answers = b.facetAnswers.aggregations;
    await a.upsert([finding({ id: 'x1', severity: 8.2 }), finding({ id: 'x2', accountId: '444455556666' })], Date.now());
    await b.catchUp();
    const seen = await b.aggregate(overview);
    assert.equal(b.facetAnswers.aggregations, answers + 1, 'answered from memory');
    assert.equal(seen.total, 2);
    assert.deepEqual(seen, await b.backend.aggregate(overview), 'as its SQL answers');
    await a.setArchived({ accountId: '111122223333', region: 'us-east-1', id: 'x1' }, true, 'analyst', Date.now());
    await b.catchUp();
    const archived = await b.aggregate({ query: parseQuery('archived:true'), aggs: { accounts: { terms: { field: 'accountId' } } } });
    assert.deepEqual((archived.aggregations['accounts'] as BucketResult).buckets, [{ key: '111122223333', doc_count: 1 }]);
    assert.deepEqual(await b.changesSince(0, 10).then((c) => c.map((x) => x.outcome)), ['created', 'created'], 'archiving is not announced as a version');
  });

  test('a finding removed on one instance is no longer counted by the other once it caught up', async () => {
    await a.upsert([finding({ id: 'r1', accountId: '777788889999' })], Date.now());
    await b.catchUp();
    const before = await b.aggregate(overview);
    await a.remove([{ accountId: '777788889999', region: 'us-east-1', id: 'r1' }]);
    await b.catchUp();
    const after = await b.aggregate(overview);
    assert.equal(after.total, before.total - 1);
    assert.deepEqual(after, await b.backend.aggregate(overview), 'as its SQL answers');
    const search = await b.search({ query: parseQuery('accountId:777788889999'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.equal(search.total, 0);
  });

  test('an instance that missed pruned changes loads its facets again, answering by SQL meanwhile', async () => {
    // Stored and pruned before b reads the log: b cannot know which findings changed.
    await a.upsert([finding({ id: 'x3', type: 'Recon:EC2/Pruned' })], Date.now());
    await a.pruneChanges(await a.lastChange(), 1000);
    await b.catchUp();
    assert.equal(b.facetsReady, false, 'loading again');
    await b.facetsLoaded;
    assert.equal(b.facetsReady, true);
    const answers = b.facetAnswers.aggregations;
    assert.deepEqual(await b.aggregate(overview), await b.backend.aggregate(overview));
    assert.equal(b.facetAnswers.aggregations, answers + 1);
    assert.equal((await b.aggregate(overview)).total, 3);
  });
});
