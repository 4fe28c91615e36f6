// Reads on a real PostgreSQL server stop on the server: past the time limit, and when nobody waits any more.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { finding } from '../../../test/fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { parseQuery } from '../../query/parser.js';
import { QueryTimeoutError, ReadAbortedError, type SearchRequest } from '../finding-store.js';
import { storeConfigSchema } from './postgres-config.js';
import { PostgresStore } from './postgres-store.js';

let database: TestDatabase;
let store: PostgresStore;
let admin: pg.Client;
before(async () => {
  database = await createTestDatabase('read');
  store = await PostgresStore.open({ config: storeConfigSchema.parse({ url: database.url, poolSize: 2, statementTimeoutSeconds: 1 }) });
  await store.upsert([finding({ id: 'r1' }), finding({ id: 'r2' })], Date.now());
  admin = new pg.Client({ connectionString: database.url, application_name: 'read-test' });
  await admin.connect();
});
after(async () => {
  await admin.end();
  await store.close();
  await database.drop();
});

const SEARCH: SearchRequest = { query: parseQuery(''), size: 10, sort: { field: 'updatedAt', order: 'desc' } };

/** Runs `body` while another connection holds a lock that makes every read of findings wait. */
async function whileLocked(body: () => Promise<void>): Promise<void> {
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE findings IN ACCESS EXCLUSIVE MODE');
  try {
    await body();
  } finally {
    await admin.query('ROLLBACK');
  }
}

/** Statements of the store running on the server (waiting for the lock counts). */
async function running(): Promise<number> {
  // Inside a transaction (the lock's), pg_stat_activity would keep showing what it showed first.
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const rows = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'yagura' AND state = 'active'`,
  );
  return rows.rows[0]!.n;
}

/** Waits up to 500 ms for the server to act on cancel requests (it does so asynchronously); how many still run. */
async function settled(): Promise<number> {
  for (let waited = 0; ; waited += 20) {
    const n = await running();
    if (n === 0 || waited >= 500) return n;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a search that runs past the time limit answers QUERY_TIMEOUT and leaves nothing running on the server', async () => {
  await whileLocked(async () => {
    const started = performance.now();
    await assert.rejects(store.search(SEARCH), (error: unknown) => error instanceof QueryTimeoutError && error.code === 'QUERY_TIMEOUT');
    const took = performance.now() - started;
    assert.ok(took >= 950 && took < 3000, `stopped after ${took.toFixed(0)} ms`);
    assert.equal(await settled(), 0);
  });
  assert.equal((await store.search(SEARCH)).total, 2, 'the pool still serves reads');
});

test('a search whose client went away is cancelled on the server at once', async () => {
  await whileLocked(async () => {
    const controller = new AbortController();
    const searching = store.search(SEARCH, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await running(), 1, 'the search waits on the server');
    const started = performance.now();
    controller.abort();
    await assert.rejects(searching, (error: unknown) => error instanceof ReadAbortedError && error.code === 'CLIENT_CLOSED_REQUEST');
    assert.ok(performance.now() - started < 500, 'without waiting for the time limit');
    assert.equal(await settled(), 0);
  });
  assert.equal((await store.aggregate({ query: parseQuery(''), aggs: { t: { terms: { field: 'type' } } } })).total, 2);
});

test('an aggregation abandoned while it waits for a connection never reaches the server', async () => {
  await whileLocked(async () => {
    // Both connections of the pool wait on the lock; the third read waits for one of them.
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const reads = controllers.map((c) => store.aggregate({ query: parseQuery(''), aggs: { t: { terms: { field: 'type' } } } }, { signal: c.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await running(), 2);
    controllers[2]!.abort();
    await assert.rejects(reads[2]!, ReadAbortedError);
    for (const c of controllers.slice(0, 2)) c.abort();
    await Promise.all(reads.slice(0, 2).map((r) => assert.rejects(r, ReadAbortedError)));
    assert.equal(await settled(), 0);
  });
  await assert.rejects(store.search(SEARCH, { signal: AbortSignal.abort() }), ReadAbortedError, 'aborted before it starts');
});
