import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { findingDoc } from '../../../test/fixtures/findings.js';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { indexedPathId } from '../../findings/path-values.js';
import type { BoundNode, DocumentTest } from '../../query/bound.js';
import { parseQuery } from '../../query/parser.js';
import { compileQuery } from './compile-query.js';
import { migrate, PATH_INDEX_SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yagura-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function stored(doc: Record<string, unknown>): Finding {
  const result = normalizeFinding(doc);
  if (!result.ok) throw new Error(result.error.message);
  return result.finding;
}

/** Ids of the findings `node` selects, newest rowid last. */
function ids(db: Database.Database, node: BoundNode): string[] {
  const { sql, params } = compileQuery({ kind: 'bound', root: node });
  return (db.prepare(`SELECT f.id FROM findings f WHERE ${sql} ORDER BY f.id`).all(...params) as Array<{ id: string }>).map((r) => r.id);
}

// Indexed paths, each walked from a subtree the generator fills; the same subtree under `mirror` is not indexed, so
// json_tree answers there: both must select the same findings.
const PATHS = [
  'resource.s3BucketDetails.name',
  'resource.accessKeyDetails.userName',
  'service.action.networkConnectionAction.remoteIpDetails.country.countryName',
  'resource.instanceDetails.networkInterfaces.publicIp',
];

const text = fc.oneof(
  fc.constantFrom('Netherlands', 'nether', '5', '5.0', '-2', 'true', 'FALSE', '', '2024-05-01T10:00:00Z', '2024-05-01', 'é 櫓 😀', 'lone \ud800', 'a"b\\c'),
  fc.string({ maxLength: 6, unit: 'grapheme' }),
);
const atom = fc.oneof(text, fc.integer({ min: -20, max: 20 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.boolean(), fc.constant(null));
/** A value at one level of a path: an atom, an object, or arrays of them (nested too). */
const node = (inner: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: inner },
    { weight: 1, arbitrary: atom },
    { weight: 2, arbitrary: fc.array(fc.oneof(inner, atom), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(fc.array(inner, { maxLength: 2 }), { maxLength: 2 }) },
  );

/** A subtree along `segments`, with odd shapes at every level and sometimes a field missing. */
function subtree(segments: readonly string[]): fc.Arbitrary<unknown> {
  if (segments.length === 0) return fc.oneof(atom, fc.array(atom, { maxLength: 3 }), fc.constant({ nested: 'object' }));
  const child = node(subtree(segments.slice(1)));
  return fc.oneof(
    { weight: 5, arbitrary: child.map((value) => ({ [segments[0]!]: value, other: 1 })) },
    { weight: 1, arbitrary: fc.constant({ other: 1 }) },
  );
}

/** What a generated document holds under each tested path's first segment. */
const documents = fc.array(fc.tuple(...PATHS.map((p) => subtree(p.split('.').slice(1)))), { minLength: 1, maxLength: 8 });

const tests: fc.Arbitrary<DocumentTest | undefined> = fc.oneof(
  fc.constant(undefined),
  text.map((t): DocumentTest => {
    const number = /^[+-]?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
    const lower = t.toLowerCase();
    return { kind: 'equals', text: t, ...(number !== undefined && { number }), ...((lower === 'true' || lower === 'false') && { boolean: lower }) };
  }),
  fc.constantFrom('Neth*', '*', '*a*', 'lone*', '5*', 'é*').map((pattern): DocumentTest => ({ kind: 'wildcard', pattern })),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=' as const), fc.integer({ min: -5, max: 8 })).map(([op, value]): DocumentTest => ({ kind: 'number', op, value })),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=' as const), fc.constantFrom('', 'N', 'm', 'é')).map(([op, t]): DocumentTest => ({ kind: 'compare', op, text: t })),
  fc.constantFrom('<', '<=', '>', '>=' as const).map((op): DocumentTest => ({
    kind: 'time', op, span: { start: Date.parse('2024-05-01T00:00:00Z'), end: Date.parse('2024-05-02T00:00:00Z') },
  })),
);

test('a query on an indexed path selects exactly what json_tree selects on the same document', () => {
  for (const p of PATHS) assert.notEqual(indexedPathId(p.split('.')), undefined, `${p} is indexed`);
  fc.assert(
    fc.property(documents, fc.array(fc.tuple(fc.nat(PATHS.length - 1), tests, fc.boolean()), { minLength: 1, maxLength: 12 }), (docs, queries) => {
      const store = new SqliteStore({ file: ':memory:' });
      try {
        const findings = docs.map((subtrees, i) => {
          const extra: Record<string, unknown> = { mirror: {} };
          subtrees.forEach((tree, k) => {
            const [root, first] = PATHS[k]!.split('.') as [string, string];
            const base = (extra[root] ??= {}) as Record<string, unknown>;
            Object.assign(base, tree as object);
            const mirror = ((extra['mirror'] as Record<string, unknown>)[root] ??= {}) as Record<string, unknown>;
            if (Object.hasOwn(tree as object, first)) mirror[first] = (tree as Record<string, unknown>)[first];
          });
          const doc = findingDoc({ id: `f${i}` });
          // The generated subtrees replace the fixture's resource and service (required fields kept).
          return stored({ ...doc, resource: extra['resource'], service: { ...(extra['service'] as object), count: 1 }, mirror: extra['mirror'] });
        });
        void store.upsert(findings, Date.now());
        for (const [k, test, negate] of queries) {
          const segments = PATHS[k]!.split('.');
          const leaf = (segs: string[]): BoundNode => {
            const field = { kind: 'document' as const, name: segs.join('.'), segments: segs };
            const inner: BoundNode = test === undefined ? { kind: 'exists', field } : { kind: 'document', field, test };
            return negate ? { kind: 'not', child: inner } : inner;
          };
          assert.deepEqual(ids(store.db, leaf(segments)), ids(store.db, leaf(['mirror', ...segments])), `${PATHS[k]} ${JSON.stringify(test)} negated ${negate}`);
        }
      } finally {
        void store.close();
      }
    }),
    { numRuns: 150 },
  );
});

test('a new version replaces the values indexed for a finding; an update that changes none keeps them', async () => {
  const store = new SqliteStore({ file: ':memory:' });
  try {
    const country = (name: string, updatedAt: string, count: number) => {
      const doc = findingDoc({ id: 'f1', updatedAt, count });
      (((doc['service'] as { action: { networkConnectionAction: { remoteIpDetails: { country: { countryName: string } } } } }).action.networkConnectionAction.remoteIpDetails.country).countryName = name);
      return stored(doc);
    };
    const search = async (q: string): Promise<number> => (await store.search({ query: parseQuery(q), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).total;
    const q = (name: string): string => `service.action.networkConnectionAction.remoteIpDetails.country.countryName:"${name}"`;
    await store.upsert([country('Netherlands', '2026-11-20T08:00:00.000Z', 1)], Date.now());
    assert.equal(await search(q('Netherlands')), 1);
    await store.upsert([country('Germany', '2026-11-20T09:00:00.000Z', 2)], Date.now());
    assert.equal(await search(q('Netherlands')), 0, 'the old value is gone');
    assert.equal(await search(q('Germany')), 1);
    await store.upsert([country('Germany', '2026-11-20T10:00:00.000Z', 3)], Date.now());
    assert.equal(await search(q('Germany')), 1, 'kept when only the count and time changed');
    assert.equal(await search(`${q('Germany')} and service.count:3`), 1);
  } finally {
    await store.close();
  }
});

test('opening a store written before the path index indexes the findings it holds', async () => {
  const file = path.join(dir, 'v7.db');
  const writer = new SqliteStore({ file });
  await writer.upsert([stored(findingDoc({ id: 'old' }))], Date.now());
  // Back to the schema before the index: its table gone, as a store of that version never had it.
  writer.db.exec('DROP TABLE finding_paths');
  writer.db.pragma(`user_version = ${PATH_INDEX_SCHEMA_VERSION - 1}`);
  await writer.close();
  const store = new SqliteStore({ file });
  try {
    const rows = store.db.prepare('SELECT count(*) FROM finding_paths').pluck().get() as number;
    assert.ok(rows > 0, 'the stored finding was indexed at open');
    const page = await store.search({ query: parseQuery('service.action.networkConnectionAction.remoteIpDetails.country.countryName:Netherlands'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.deepEqual(page.findings.map((f) => f.key.id), ['old']);
  } finally {
    await store.close();
  }
});

test('migrating an empty store creates the index without reading anything', () => {
  const db = new Database(':memory:');
  migrate(db);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'finding_paths_value'").pluck().get(), 1);
  db.close();
});
