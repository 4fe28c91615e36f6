// Conformance: KQL on document paths — dotted keys into GuardDuty's JSON, arrays flattened on the way, numbers,
// booleans and escaped text in the document, existence, and `not` over findings that lack the path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { indexedPathId } from '../../findings/path-values.js';
import type { BoundNode, DocumentTest } from '../../query/bound.js';
import { parseQuery } from '../../query/parser.js';
import { oneOf } from '../../query/scope.js';
import type { FindingStore } from '../finding-store.js';
import { doc, stored, T0 } from './fixtures.js';
import { storeTest, sharedStore, type OpenedStore, type StoreFactory } from './harness.js';
import { ALL_IDS, except, seedKqlCorpus, selector } from './kql-corpus.js';

export function describePaths(open: StoreFactory): void {
  describe('KQL on document paths', () => {
    const store = sharedStore(open, seedKqlCorpus);
    const select = selector(store);

    test('dotted paths reach into the document and through arrays', async () => {
      const port = 'service.action.portProbeAction.portProbeDetails';
      assert.deepEqual(await select(`${port}.remoteIpDetails.ipAddressV4:198.51.100.7`), ['f1']);
      assert.deepEqual(await select(`${port}.remoteIpDetails.ipAddressV4:203.0.113.9`), ['f1']);
      assert.deepEqual(await select('service.action.networkConnectionAction.remoteIpDetails.ipAddressV4:198.51.100.70'), ['f3']);
      assert.deepEqual(await select('service.action.awsApiCallAction.remoteIpDetails.ipAddressV4:192.0.2.*'), ['f2']);
      assert.deepEqual(await select('resource.instanceDetails.tags.value:web-1'), ['f1']);
      assert.deepEqual(await select('labels:y'), ['f2']);
      assert.deepEqual(await select('resource.accessKeyDetails.userName:al*'), ['f2']);
      assert.deepEqual(await select('resource.accessKeyDetails.userName:Alice'), []);
    });

    test('conditions on one array field may be met by different elements, as in Elasticsearch', async () => {
      assert.deepEqual(await select('resource.instanceDetails.tags.key:Name and resource.instanceDetails.tags.value:prod'), ['f1']);
    });

    test('a path only matches the full key, not a prefix or a longer key', async () => {
      assert.deepEqual(await select('service.action.portProbeAction:*'), ['f1', 'f3']);
      assert.deepEqual(await select('service.action.portProbeAction.portProbeDetails.remoteIpDetails:198.51.100.7'), []);
      assert.deepEqual(await select('remoteIpDetails.ipAddressV4:198.51.100.7'), []);
      assert.deepEqual(await select('service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4.x:198.51.100.7'), []);
    });

    test('keys with dashes and brackets are matched as they are spelled', async () => {
      assert.deepEqual(await select('a-b.c:dash'), ['f1']);
      assert.deepEqual(await select('a-b.c:DASH'), ['f4']);
      assert.deepEqual(await select('a-b.c-d:x2'), ['f1']);
      assert.deepEqual(await select('a.b:bracket'), []);
    });

    test('numbers in the document match numerically and as text', async () => {
      const port = 'service.action.portProbeAction.portProbeDetails.localPortDetails.port';
      assert.deepEqual(await select(`${port}:22`), ['f1', 'f3']);
      assert.deepEqual(await select(`${port}:22.0`), ['f1']);
      assert.deepEqual(await select(`${port}:"22"`), ['f1', 'f3']);
      assert.deepEqual(await select(`${port} > 1000`), ['f1']);
      assert.deepEqual(await select(`${port} < 100`), ['f1']);
      assert.deepEqual(await select('score >= 1.5 and score < 2'), ['f4']);
    });

    test('true and false in the document match JSON booleans', async () => {
      assert.deepEqual(await select('flag:true'), ['f4']);
      assert.deepEqual(await select('flag:false'), []);
      assert.deepEqual(await select('off:false'), ['f4']);
      assert.deepEqual(await select('service.additionalInfo.sample:true and not flag:true'), ['f2']);
    });

    test('a path exists when it holds a value other than null, and arrays through their elements', async () => {
      assert.deepEqual(await select('labels:*'), ['f2']);
      assert.deepEqual(await select('nothing:*'), []);
      assert.deepEqual(await select('empty:*'), []);
      assert.deepEqual(await select('nulls:*'), []);
      assert.deepEqual(await select('nested.empty:*'), ['f5']);
      assert.deepEqual(await select('resource.instanceDetails.tags.key:*'), ['f1']);
      assert.deepEqual(await select('not labels:*'), except('f2'));
    });

    test('not on a document path selects findings that lack the path', async () => {
      assert.deepEqual(await select('not service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4:203.0.113.9'), except('f1'));
      assert.deepEqual(await select('not nosuch.field:x'), ALL_IDS);
    });
  });

  storeTest(open, 'text that JSON escapes in a stored document is found by an exact match on its path', async (store) => {
    const values = ['say "hi" \\ back\\slash', 'line\nbreak\ttab', 'é 櫓 😀', '</script>', 'lone \ud800 surrogate', 'ctrl \u0001 \u007f', ''];
    await store.upsert([stored(doc({ id: 'esc', type: 'T', extra: { odd: { list: values.map((value) => ({ value })), plain: values[0] } } }))], T0);
    const ids = async (field: string, text: string): Promise<string[]> =>
      (await store.search({ query: { kind: 'match', field, value: { text, quoted: true, wildcard: false } }, size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id);
    for (const value of values) assert.deepEqual(await ids('odd.list.value', value), ['esc'], JSON.stringify(value));
    assert.deepEqual(await ids('odd.plain', values[0]!), ['esc']);
    assert.deepEqual(await ids('odd.list.value', 'say'), []);
    assert.deepEqual(await ids('odd.plain', values[1]!), []);
  });

  storeTest(open, 'a new version replaces the values a finding is found by under a path; an update that changes none keeps them', async (store) => {
    const country = (name: string, updatedAt: string, count: number): ReturnType<typeof stored> => {
      const d = doc({ id: 'f1', updatedAt, count });
      const remote = (d['service'] as { action: { networkConnectionAction: { remoteIpDetails: { country: { countryName: string } } } } }).action.networkConnectionAction.remoteIpDetails;
      remote.country = { countryName: name };
      return stored(d);
    };
    const total = async (q: string): Promise<number> => (await store.search({ query: parseQuery(q), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).total;
    const q = (name: string): string => `service.action.networkConnectionAction.remoteIpDetails.country.countryName:"${name}"`;
    await store.upsert([country('Netherlands', '2026-11-20T08:00:00.000Z', 1)], T0);
    assert.equal(await total(q('Netherlands')), 1);
    await store.upsert([country('Germany', '2026-11-20T09:00:00.000Z', 2)], T0 + 1);
    assert.equal(await total(q('Netherlands')), 0, 'the old value is gone');
    assert.equal(await total(q('Germany')), 1);
    await store.upsert([country('Germany', '2026-11-20T10:00:00.000Z', 3)], T0 + 2);
    assert.equal(await total(q('Germany')), 1, 'kept when only the count and time changed');
    assert.equal(await total(`${q('Germany')} and service.count:3`), 1);
  });

  describePathProperty(open);
}

// Paths a store may index, each walked from a subtree the generator fills; the same subtree under `mirror` is no
// indexed path, so both must select the same findings however the store reads them.
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

function describePathProperty(open: StoreFactory): void {
  describe('paths a store indexes', () => {
    let opened: OpenedStore;
    before(async () => {
      opened = await open();
    });
    after(async () => opened.close());

    test('a query on a path the store may index selects exactly what it selects on the same subtree elsewhere', async () => {
      for (const p of PATHS) assert.notEqual(indexedPathId(p.split('.')), undefined, `${p} is indexed`);
      const store: FindingStore = opened.store;
      let run = 0;
      await fc.assert(
        fc.asyncProperty(documents, fc.array(fc.tuple(fc.nat(PATHS.length - 1), tests, fc.boolean()), { minLength: 1, maxLength: 12 }), async (docs, queries) => {
          // Each run in an account of its own, so that runs share one store.
          const accountId = String(100_000_000_000 + ++run);
          const findings = docs.map((subtrees, i) => {
            const extra: Record<string, unknown> = { mirror: {} };
            subtrees.forEach((tree, k) => {
              const [root, first] = PATHS[k]!.split('.') as [string, string];
              const base = (extra[root] ??= {}) as Record<string, unknown>;
              Object.assign(base, tree as object);
              const mirror = ((extra['mirror'] as Record<string, unknown>)[root] ??= {}) as Record<string, unknown>;
              if (Object.hasOwn(tree as object, first)) mirror[first] = (tree as Record<string, unknown>)[first];
            });
            const d = doc({ id: `f${i}`, accountId });
            // The generated subtrees replace the fixture's resource and service (required fields kept).
            return stored({ ...d, resource: extra['resource'], service: { ...(extra['service'] as object), count: 1 }, mirror: extra['mirror'] });
          });
          await store.upsert(findings, T0);
          const ids = async (node: BoundNode): Promise<string[]> => {
            const root: BoundNode = { kind: 'and', children: [oneOf('accountId', [accountId]), node] };
            return (await store.search({ query: { kind: 'bound', root }, size: 20, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id).sort();
          };
          for (const [k, test, negate] of queries) {
            const segments = PATHS[k]!.split('.');
            const leaf = (segs: string[]): BoundNode => {
              const field = { kind: 'document' as const, name: segs.join('.'), segments: segs };
              const inner: BoundNode = test === undefined ? { kind: 'exists', field } : { kind: 'document', field, test };
              return negate ? { kind: 'not', child: inner } : inner;
            };
            assert.deepEqual(await ids(leaf(segments)), await ids(leaf(['mirror', ...segments])), `${PATHS[k]} ${JSON.stringify(test)} negated ${negate}`);
          }
        }),
        { numRuns: 150 },
      );
    });
  });
}
