// Generators of candidate findings: real-looking documents with fields dropped or replaced, each change labelled
// with what validation must make of it, so a property can check the verdict and not only the absence of crashes.
import fc from 'fast-check';
import type { FindingErrorCode } from '../../src/findings/finding-error.js';
import { findingDoc } from '../fixtures/findings.js';

/** What one change does to a finding's validity. `unknown` when the change can go either way. */
export type Verdict = { readonly valid: true } | { readonly valid: false; readonly codes: readonly FindingErrorCode[] } | { readonly valid: 'unknown' };

export interface Mutation {
  readonly path: readonly string[];
  /** `undefined` deletes the key. */
  readonly value: unknown;
  readonly verdict: Verdict;
}

const VALID: Verdict = { valid: true };
const UNKNOWN: Verdict = { valid: 'unknown' };
const invalid = (...codes: FindingErrorCode[]): Verdict => ({ valid: false, codes });

const DROP = Symbol('drop');
type Draw = typeof DROP | unknown;

function labelled(verdict: Verdict, values: fc.Arbitrary<Draw>): fc.Arbitrary<{ value: Draw; verdict: Verdict }> {
  return values.map((value) => ({ value, verdict }));
}

const nonString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.array(fc.string(), { maxLength: 2 }));
const missing = fc.constantFrom<Draw>(DROP, null);

/** A required string field: `valid` makes good values; a bad character spliced in, or one too many, bad ones. */
function requiredString(valid: fc.Arbitrary<string>, tooLong: number, badChars: string[]): fc.Arbitrary<{ value: Draw; verdict: Verdict }> {
  return fc.oneof(
    { weight: 4, arbitrary: labelled(VALID, valid) },
    { weight: 1, arbitrary: labelled(invalid('MISSING_FIELD'), fc.oneof(missing, fc.constant(''))) },
    { weight: 1, arbitrary: labelled(invalid('INVALID_FIELD'), nonString) },
    {
      weight: 2,
      arbitrary: labelled(
        invalid('INVALID_FIELD'),
        fc.oneof(
          fc.tuple(valid, fc.constantFrom(...badChars), valid).map(([a, c, b]) => `${a}${c}${b}`),
          fc.constant('x'.repeat(tooLong + 1)),
        ),
      ),
    },
  );
}

const chars = (set: string): fc.Arbitrary<string> => fc.constantFrom(...Array.from(set));
const idChars = chars('abcdefABCDEF0123456789._:@+=-');
const accountChars = chars('abcXYZ0123456789-');
const regionChars = chars('abcdefghijklmnopqrstuvwxyz0123456789-');
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Timestamps in every form GuardDuty and its exports use, with the epoch ms they name. */
export const validTimestamp: fc.Arbitrary<{ value: string | number; ms: number }> = fc
  .tuple(fc.integer({ min: Date.UTC(1974, 0, 1), max: Date.UTC(2200, 0, 1) }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: -14 * 4, max: 14 * 4 }))
  .map(([ms, form, quarters]) => {
    const iso = new Date(ms).toISOString();
    const offset = quarters * 15;
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
    const sign = offset < 0 ? '-' : '+';
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
    const mm = String(Math.abs(offset) % 60).padStart(2, '0');
    const seconds = Math.floor(ms / 1000) * 1000;
    switch (form) {
      case 0:
        return { value: iso, ms };
      case 1:
        return { value: iso.slice(0, -1), ms };
      case 2:
        return { value: iso.slice(0, -1).replace('T', ' '), ms };
      case 3:
        return { value: `${iso.slice(0, 19)}Z`, ms: seconds };
      case 4:
        return { value: `${local}${sign}${hh}:${mm}`, ms };
      case 5:
        return { value: `${local}${sign}${hh}${mm}`, ms };
      case 6:
        return { value: `${iso.slice(0, -1)}000000Z`, ms };
      case 7:
        return { value: ms, ms };
      default:
        return { value: seconds / 1000, ms: seconds };
    }
  });

const invalidTimestamp = fc.oneof(
  fc.constantFrom('yesterday', 'now', '', ' ', 'NaN', '2026-13-01', '2026-00-10', '2026-11-32', '2026-11-20T25:00:00Z',
    '2026-11-20T23:60:00Z', '20261120', '2026/11/20', '2026-11-20T08:00:00+99:99', 'Fri, 20 Nov 2026 08:00:00 GMT', '+275760-09-13'),
  fc.string().filter((s) => !/^\s*\d{4}-/.test(s)),
  fc.string().map((s) => `2026-11-20T08:00:00.000Z${s}${'0'.repeat(20)}`),
  fc.oneof(fc.integer({ max: 0 }), fc.double({ max: 0, noNaN: true }), fc.double({ min: 8.64e15, minExcluded: true, noNaN: true })),
  fc.boolean(),
  fc.constant([]),
  fc.constant({ $date: '2026-11-20T08:00:00Z' }),
);

/** The changes, by the field they touch. */
const FIELDS: ReadonlyArray<readonly [path: string[], change: fc.Arbitrary<{ value: Draw; verdict: Verdict }>]> = [
  [['id'], requiredString(fc.string({ unit: idChars, minLength: 1, maxLength: 40 }), 256, ['/', ' ', '\u0000', '\n', 'é', '#', '%', '\\'])],
  [['accountId'], requiredString(fc.string({ unit: accountChars, minLength: 1, maxLength: 64 }), 64, ['.', '/', '_', ' ', '\u0000', 'ü'])],
  [['region'], requiredString(fc.string({ unit: regionChars, minLength: 2, maxLength: 32 }), 32, ['A', '_', '/', '.', ' ', '\u0000'])],
  [
    ['type'],
    fc.oneof(
      { weight: 4, arbitrary: labelled(VALID, fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !CONTROL.test(s))) },
      { weight: 1, arbitrary: labelled(invalid('MISSING_FIELD'), fc.oneof(missing, fc.constant(''))) },
      { weight: 1, arbitrary: labelled(invalid('INVALID_FIELD'), fc.oneof(nonString, fc.constant('T'.repeat(513)), fc.tuple(fc.string(), chars('\u0000\r\n\t\u001b\u007f')).map(([s, c]) => `${s}${c}`))) },
    ),
  ],
  [
    ['severity'],
    fc.oneof(
      { weight: 4, arbitrary: labelled(VALID, fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 0, max: 10 }))) },
      { weight: 1, arbitrary: labelled(invalid('MISSING_FIELD'), missing) },
      {
        weight: 2,
        arbitrary: labelled(
          invalid('INVALID_FIELD'),
          fc.oneof(fc.double({ min: 10, minExcluded: true }), fc.double({ max: -Number.MIN_VALUE }), fc.constant(Number.NaN), fc.string(), fc.boolean(), fc.constant([]), fc.constant({})),
        ),
      },
    ),
  ],
  [
    ['updatedAt'],
    fc.oneof(
      { weight: 4, arbitrary: labelled(VALID, validTimestamp.map((t) => t.value)) },
      { weight: 1, arbitrary: labelled(invalid('MISSING_FIELD'), missing) },
      { weight: 2, arbitrary: labelled(invalid('INVALID_FIELD'), invalidTimestamp) },
    ),
  ],
  [
    ['createdAt'],
    fc.oneof(
      { weight: 4, arbitrary: labelled(VALID, fc.oneof(validTimestamp.map((t) => t.value), missing)) },
      { weight: 1, arbitrary: labelled(invalid('INVALID_FIELD'), invalidTimestamp) },
    ),
  ],
  [
    ['service', 'count'],
    fc.oneof(
      { weight: 4, arbitrary: labelled(VALID, fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e300, noNaN: true }), missing)) },
      {
        weight: 1,
        arbitrary: labelled(invalid('INVALID_FIELD'), fc.oneof(fc.double({ max: -Number.MIN_VALUE }), fc.constant(Number.POSITIVE_INFINITY), fc.string(), fc.boolean(), fc.constant([]), fc.constant({}))),
      },
    ),
  ],
  // Fields validation never reads: anything goes, as long as the document's shape stays within the limits.
  [['title'], labelled(VALID, fc.oneof(fc.jsonValue(), missing))],
  [['resource'], labelled(VALID, fc.oneof(fc.jsonValue(), missing))],
  [['service', 'action'], labelled(VALID, fc.oneof(fc.jsonValue(), missing))],
  [['service', 'archived'], labelled(VALID, fc.jsonValue())],
  [['extra'], labelled(VALID, fc.jsonValue({ maxDepth: 60 }))],
  [['resource', 'instanceDetails', 'tags'], labelled(VALID, fc.array(fc.jsonValue(), { maxLength: 5 }))],
  // Structure: nesting around the 48-level limit, prototype keys, 100,000 nodes (verdict left to the shape rules).
  [
    ['service', 'evidence'],
    labelled(
      VALID,
      fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 40, max: 56 }).map((depth) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown) },
        { weight: 5, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => JSON.parse(`[{"${key}":{"polluted":true}}]`) as unknown) },
        { weight: 1, arbitrary: fc.constant(new Array<number>(100_000).fill(0)) },
      ),
    ),
  ],
  // Replacing `service` may or may not leave a valid service.count.
  [['service'], labelled(UNKNOWN, fc.jsonValue())],
];

/** One change to a real-looking finding. */
export const mutation: fc.Arbitrary<Mutation> = fc
  .constantFrom(...FIELDS.keys())
  .chain((i) => {
    const [path, change] = FIELDS[i]!;
    return change.map(({ value, verdict }) => ({ path, value: value === DROP ? undefined : value, verdict }));
  });

/** Writes `value` at `path` (creating objects on the way), or deletes the key when `value` is undefined. */
function apply(doc: Record<string, unknown>, m: Mutation): void {
  let node = doc;
  for (const key of m.path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.value === undefined) delete node[last];
  else node[last] = m.value;
}

export interface MutatedFinding {
  readonly doc: Record<string, unknown>;
  /** The verdict of the last change to each path; paths later overwritten by a parent change are dropped. */
  readonly verdicts: readonly Verdict[];
}

/** A fixture finding with 0 to 4 changes applied. */
export const mutatedFinding: fc.Arbitrary<MutatedFinding> = fc
  .tuple(fc.record({ id: fc.string({ unit: idChars, minLength: 1, maxLength: 12 }), severity: fc.double({ min: 0, max: 10, noNaN: true }) }), fc.array(mutation, { maxLength: 4 }))
  .map(([spec, mutations]) => {
    const doc = findingDoc(spec);
    const byPath = new Map<string, Verdict>();
    for (const m of mutations) {
      apply(doc, m);
      const key = m.path.join('.');
      for (const existing of [...byPath.keys()]) if (existing.startsWith(`${key}.`)) byPath.delete(existing);
      // A change below a replaced parent leaves the parent's verdict in doubt.
      const parent = [...byPath.keys()].some((p) => key.startsWith(`${p}.`));
      byPath.set(key, parent ? UNKNOWN : m.verdict);
    }
    return { doc, verdicts: [...byPath.values()] };
  });
