// Runs the whole store conformance suite against PostgreSQL: one fresh database for this file, a schema per store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { finding, findingDoc } from '../../../test/fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import type { QueryNode } from '../../query/ast.js';
import type { BoundNode } from '../../query/bound.js';
import { describeFindingStore } from '../finding-store.conformance.js';
import { storeConfigSchema } from './postgres-config.js';
import { PostgresStore } from './postgres-store.js';

let database: TestDatabase;
let stores = 0;
before(async () => {
  database = await createTestDatabase('store');
});
after(async () => database.drop());

/** A fresh store in a schema of its own. */
async function openStore(): Promise<{ store: PostgresStore; schema: string; close(): Promise<void> }> {
  const schema = `store_${++stores}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = await PostgresStore.open({ config: storeConfigSchema.parse({ url: database.url, poolSize: 4 }), schema });
  return { store, schema, close: () => store.close() };
}

describeFindingStore('PostgreSQL', openStore);

test('stores text PostgreSQL cannot hold as it is (NUL, lone surrogates, values and words too long for an index) and finds it by it', async () => {
  const { store, close } = await openStore();
  try {
    const huge = `${'x'.repeat(60_000)}é`;
    const word = 'w'.repeat(3000);
    const doc = findingDoc({ id: 'odd' });
    Object.assign(doc, {
      title: 'nul \u0000 inside',
      description: `a ${word} word`,
      odd: { huge, lone: 'lone \ud800 half', nul: 'x\u0000y' },
      ['k'.repeat(700)]: { deep: 'unreachable' },
    });
    const stored = normalizeFinding(doc);
    assert.ok(stored.ok);
    assert.deepEqual((await store.upsert([stored.finding], Date.now())).outcomes, ['created']);
    const ids = async (node: QueryNode): Promise<string[]> => (await store.search({ query: node, size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id);
    const match = (field: string, text: string, wildcard = false): QueryNode => ({ kind: 'match', field, value: { text, quoted: !wildcard, wildcard } });
    assert.deepEqual(await ids(match('title', 'nul \u0000 inside')), ['odd']);
    assert.deepEqual(await ids(match('odd.huge', huge)), ['odd']);
    assert.deepEqual(await ids(match('odd.huge', 'x*é', true)), ['odd']);
    assert.deepEqual(await ids(match('odd.huge', huge.slice(1))), []);
    assert.deepEqual(await ids(match('odd.lone', 'lone \ud800 half')), ['odd']);
    assert.deepEqual(await ids(match('odd.nul', 'x\u0000y')), ['odd']);
    assert.deepEqual(await ids({ kind: 'text', value: { text: word, quoted: false, wildcard: false } }), ['odd'], 'a word longer than an index entry is found by its start');
    assert.deepEqual((await store.get(stored.finding.key))?.doc, stored.finding.doc, 'the document is kept as it came');
  } finally {
    await close();
  }
});

test('an update rewrites the document values of the paths it changed and leaves the others in place', async () => {
  const { store, schema, close } = await openStore();
  const admin = new pg.Client({ connectionString: database.url, options: `-c search_path=${schema}` });
  await admin.connect();
  try {
    const version = (count: number, lastSeen: string): Finding => {
      const doc = findingDoc({ id: 'u1', count, updatedAt: lastSeen });
      Object.assign(doc.service as object, { eventLastSeen: lastSeen, lone: 'a \ud800 b' });
      const r = normalizeFinding(doc);
      if (!r.ok) throw new Error(r.error.message);
      return r.finding;
    };
    await store.upsert([version(1, '2026-11-20T08:00:00.000Z')], Date.now());
    const rows = async (): Promise<Map<string, string>> => {
      const r = await admin.query<{ path: string; ctid: string }>('SELECT p.path, v.ctid::text FROM finding_values v JOIN document_paths p ON p.id = v.path');
      return new Map(r.rows.map((x) => [x.path, x.ctid]));
    };
    const before = await rows();
    await store.upsert([version(2, '2026-11-20T09:00:00.000Z')], Date.now());
    const after = await rows();
    const moved = [...after].filter(([path, ctid]) => before.get(path) !== ctid).map(([path]) => path);
    assert.deepEqual(moved, ['service.eventLastSeen'], 'only the path whose value changed (count and updatedAt are catalogue fields)');
    assert.equal(after.size, before.size);
  } finally {
    await admin.end();
    await close();
  }
});

test('IgnoreCase scopes fold case as JavaScript does, beyond ASCII', async () => {
  const { store, close } = await openStore();
  try {
    await store.upsert([finding({ id: 'g1', type: 'Straße:ÉΣ' }), finding({ id: 'g2', type: 'STRASSE:ÉΣ' }), finding({ id: 'g3', type: 'İ' })], Date.now());
    const ids = async (lowered: string[]): Promise<string[]> => {
      const root: BoundNode = { kind: 'text', field: { kind: 'column', name: 'type', column: 'type', type: 'text' }, test: { kind: 'equals-ignore-case', lowered } };
      return (await store.search({ query: { kind: 'bound', root }, size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id).sort();
    };
    assert.deepEqual(await ids(['Straße:ÉΣ'.toLowerCase()]), ['g1']);
    assert.deepEqual(await ids(['strasse:éς', 'İ'.toLowerCase()]), ['g2', 'g3']);
    assert.deepEqual(await ids([]), []);
  } finally {
    await close();
  }
});

test('two instances storing overlapping batches at once keep one record per finding and number the change log in commit order', async () => {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query('CREATE SCHEMA shared_writers');
  await admin.end();
  const config = storeConfigSchema.parse({ url: database.url, poolSize: 3 });
  const [a, b] = await Promise.all([PostgresStore.open({ config, schema: 'shared_writers' }), PostgresStore.open({ config, schema: 'shared_writers' })]);
  try {
    const T0 = Date.parse('2026-11-10T00:00:00Z');
    // 40 batches over 30 findings, each finding in several batches, with newer versions arriving in between.
    const batch = (n: number): Finding[] =>
      Array.from({ length: 6 }, (_, i) => finding({ id: `w${(n * 5 + i) % 30}`, count: 1 + (n % 3), updatedAt: new Date(T0 + (n % 3) * 60_000).toISOString() }));
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? a : b).upsert(batch(n), T0 + n)));
    const created = results.flatMap((r) => r.outcomes).filter((o) => o === 'created').length;
    assert.equal(await a.count(), 30);
    assert.equal(created, 30, 'each finding created once, by one of the instances');
    const changes = await b.changesSince(0, 10_000);
    assert.deepEqual(changes.map((c) => c.seq), changes.map((_, i) => i + 1), 'numbered without gaps, in the order they committed');
    assert.equal(await a.lastChange(), changes.length);
    for (let k = 0; k < 30; k++) {
      const newest = Math.max(...Array.from({ length: 40 }, (_, n) => n).filter((n) => batch(n).some((f) => f.key.id === `w${k}`)).map((n) => 1 + (n % 3)));
      const got = await b.get({ accountId: '111122223333', region: 'us-east-1', id: `w${k}` });
      assert.equal(got?.history.at(-1)?.count, newest, `w${k} ends on its newest version`);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a schema name that is not a plain identifier is refused before anything reaches the server', async () => {
  await assert.rejects(
    PostgresStore.open({ config: storeConfigSchema.parse({ url: database.url }), schema: 'x; DROP SCHEMA public' }),
    (error: Error & { code?: string }) => error.code === 'STORE_CONFIG_INVALID',
  );
});
