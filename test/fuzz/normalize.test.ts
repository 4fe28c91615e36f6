// Property-based fuzzing of normalizeFinding: never throws, accepts exactly the valid findings, keeps them verbatim.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../../src/findings/finding.js';
import type { FindingErrorCode } from '../../src/findings/finding-error.js';
import { contentHash, normalizeFinding } from '../../src/findings/normalize.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { findingDoc } from '../fixtures/findings.js';
import { mutatedFinding, mutation, validTimestamp } from './finding-arbitraries.js';
import { BranchCounter, fuzzParameters } from './settings.js';

/** The codes docs/api.md lists for a rejected finding. */
const CODES = new Set<FindingErrorCode>(['NOT_AN_OBJECT', 'MISSING_FIELD', 'INVALID_FIELD', 'FORBIDDEN_KEY', 'NESTING_TOO_DEEP', 'DOCUMENT_TOO_LARGE']);
/** Key patterns as src/findings/normalize.ts documents them: they become archive path segments and URL parts. */
const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/;
const REGION = /^[a-z0-9-]{2,32}$/;
const FINDING_ID = /^[A-Za-z0-9._:@+=-]{1,256}$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The structural limits of docs/api.md, checked independently: forbidden keys anywhere, 48 levels, 100,000 nodes. */
function shapeCodes(value: unknown): Set<FindingErrorCode> {
  const codes = new Set<FindingErrorCode>();
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > 48) {
      codes.add('NESTING_TOO_DEEP');
      continue;
    }
    const entries = Array.isArray(node) ? node.map((v) => ['', v] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      nodes++;
      if (FORBIDDEN.has(key)) codes.add('FORBIDDEN_KEY');
      stack.push([child, depth + 1]);
    }
  }
  if (nodes > 100_000) codes.add('DOCUMENT_TOO_LARGE');
  return codes;
}

function band(severity: number): string {
  return severity >= 9 ? 'Critical' : severity >= 7 ? 'High' : severity >= 4 ? 'Medium' : 'Low';
}

/** A deep copy with every object's keys in reverse order: the same document to a canonical hash. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
}

/** What an accepted finding must look like. */
function assertInvariants(input: Record<string, unknown>, f: Finding): void {
  assert.equal(f.doc, input, 'the document is not the input itself');
  assert.deepEqual(f.key, { accountId: input.accountId, region: input.region, id: input.id });
  assert.match(f.key.accountId, ACCOUNT_ID);
  assert.match(f.key.region, REGION);
  assert.match(f.key.id, FINDING_ID);
  assert.equal(f.type, input.type);
  assert.ok(f.type.length >= 1 && f.type.length <= 512 && !/[\u0000-\u001f\u007f]/.test(f.type), `type ${JSON.stringify(f.type)}`);
  assert.equal(f.severity, input.severity);
  assert.ok(Number.isFinite(f.severity) && f.severity >= 0 && f.severity <= 10);
  assert.equal(f.band, band(f.severity));
  assert.ok(Number.isSafeInteger(f.count) && f.count >= 0, `count ${f.count}`);
  const rawCount = (input.service as Record<string, unknown> | undefined)?.count;
  assert.equal(f.count, typeof rawCount === 'number' ? Math.min(Math.floor(rawCount), Number.MAX_SAFE_INTEGER) : 1);
  assert.ok(Number.isInteger(f.updatedAt) && Math.abs(f.updatedAt) <= 8.64e15, `updatedAt ${f.updatedAt}`);
  assert.ok(f.createdAt === undefined || (Number.isInteger(f.createdAt) && Math.abs(f.createdAt) <= 8.64e15));
  assert.ok(f.remoteParties.length <= 32);
  assert.ok(f.text.length <= 16_384 && f.text === f.text.toLowerCase());
  // The hash names the content: stable for the same document, whatever its key order, and only for it.
  assert.match(f.hash, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(contentHash(structuredClone(input)), f.hash);
  assert.equal(contentHash(reordered(input) as Record<string, unknown>), f.hash);
  assert.notEqual(contentHash({ ...input, 'yagura-fuzz': true }), f.hash);
}

/** Normalizes `input`, which must not throw nor change `input`, and checks whichever answer comes back. */
function check(input: unknown): ReturnType<typeof normalizeFinding> {
  const before = structuredClone(input);
  const result = normalizeFinding(input);
  assert.ok(isDeepStrictEqual(input, before), 'normalizeFinding changed its input');
  if (result.ok) assertInvariants(input as Record<string, unknown>, result.finding);
  else {
    assert.ok(CODES.has(result.error.code), `unknown code ${result.error.code}`);
    assert.ok(result.error.message.length > 10);
  }
  return result;
}

/** Real findings with random JSON merged in at the top, under GuardDuty's own key names as well as random ones. */
const overlaidFinding = fc
  .dictionary(fc.oneof(fc.constantFrom('id', 'accountId', 'region', 'type', 'severity', 'updatedAt', 'createdAt', 'service', 'title'), fc.string()), fc.jsonValue(), {
    maxKeys: 3,
    noNullPrototype: true,
  })
  .map((extra) => ({ ...findingDoc(), ...extra }));

describe('normalizeFinding under fuzzing', () => {
  let store: SqliteStore;
  let serial = 0;
  before(() => {
    store = new SqliteStore({ file: ':memory:' });
  });
  after(async () => store.close());

  test('answers any JSON value with a valid finding or a coded rejection, never a throw', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), overlaidFinding), (value) => {
        counter.run();
        if (check(value).ok) counter.reach('accepted');
      }),
      fuzzParameters(),
    );
    counter.report('any JSON');
    counter.requireShare('accepted', 0.15);
  });

  test('answers any JavaScript value with a valid finding or a coded rejection, never a throw', () => {
    fc.assert(fc.property(fc.anything(), (value) => void check(value)), fuzzParameters());
  });

  test('accepts a changed real finding exactly when every change is valid, else names a broken rule', () => {
    const counter = new BranchCounter();
    fc.assert(
      fc.property(mutatedFinding, ({ doc, verdicts }) => {
        counter.run();
        const result = check(doc);
        const shape = shapeCodes(doc);
        const why = (): string => `${JSON.stringify(result.ok ? 'ok' : result.error)} for ${JSON.stringify(verdicts)}`;
        if (shape.size > 0) {
          assert.ok(!result.ok && shape.has(result.error.code), why());
          return;
        }
        if (verdicts.some((v) => v.valid === 'unknown')) return;
        const broken = verdicts.flatMap((v) => (v.valid === false ? v.codes : []));
        counter.reach(broken.length === 0 ? 'valid' : 'invalid');
        if (broken.length === 0) assert.ok(result.ok, why());
        else assert.ok(!result.ok && broken.includes(result.error.code), why());
      }),
      fuzzParameters(),
    );
    counter.report('mutated findings');
    counter.requireShare('valid', 0.4);
    counter.requireShare('invalid', 0.1);
  });

  test('stores every accepted finding verbatim: the stored document is the JSON that came in', async () => {
    const counter = new BranchCounter();
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedFinding.map((m) => m.doc), overlaidFinding), async (doc) => {
        counter.run();
        // A fresh id per run keeps each finding's history short; the id is the only thing changed.
        const input = { ...doc, id: `fuzz-${++serial}` };
        const result = normalizeFinding(input);
        if (!result.ok) return;
        counter.reach('stored');
        await store.upsert([result.finding], Date.now());
        const stored = await store.get(result.finding.key);
        const version = stored?.history.find((v) => v.hash === result.finding.hash);
        assert.ok(version, 'the version is not in the history');
        assert.equal(JSON.stringify(version.doc), JSON.stringify(input));
        assert.equal(JSON.stringify(stored!.doc), JSON.stringify(input));
      }),
      fuzzParameters(),
    );
    counter.report('stored findings');
    counter.requireShare('stored', 0.4);
  });

  test('reads every documented timestamp form as the instant it names', () => {
    fc.assert(
      fc.property(validTimestamp, validTimestamp, (updated, created) => {
        const result = check({ ...findingDoc(), updatedAt: updated.value, createdAt: created.value });
        assert.ok(result.ok, JSON.stringify([updated, created]));
        assert.equal(result.finding.updatedAt, updated.ms, `updatedAt ${JSON.stringify(updated.value)}`);
        assert.equal(result.finding.createdAt, created.ms, `createdAt ${JSON.stringify(created.value)}`);
      }),
      fuzzParameters(),
    );
  });

  test(
    'rejects timestamps naming a day their month does not have',
    () => {
      const impossible = fc
        .record({ year: fc.integer({ min: 1970, max: 2200 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 29, max: 31 }) })
        .filter(({ year, month, day }) => day > new Date(Date.UTC(year, month, 0)).getUTCDate())
        .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${day}T00:00:00Z`);
      fc.assert(
        fc.property(impossible, (updatedAt) => {
          const result = check({ ...findingDoc(), updatedAt });
          assert.ok(!result.ok && result.error.code === 'INVALID_FIELD', `${updatedAt} was accepted`);
        }),
        fuzzParameters(),
      );
    },
  );

  test(
    'answers non-JSON values (BigInt, Symbol, functions, Maps, Dates) in any field with a verdict, never a throw',
    () => {
      const exotic = fc.oneof(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withBoxedValues: true, withSparseArray: true, withNullPrototype: true }),
        fc.constantFrom(Symbol('severity'), () => 8, 8n),
      );
      fc.assert(
        fc.property(mutation, exotic, (m, value) => {
          const doc: Record<string, unknown> = findingDoc();
          const parent = m.path.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, doc);
          parent[m.path[m.path.length - 1]!] = value;
          const result = normalizeFinding(doc);
          if (!result.ok) assert.ok(CODES.has(result.error.code));
        }),
        fuzzParameters(),
      );
    },
  );
});
