// What the PostgreSQL store indexes of a document: values by path, times read as SQLite reads them, exact decimals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { documentTime } from './document-time.js';
import { documentValues, VALUE_KIND } from './document-values.js';
import { exactDecimal } from './exact-decimal.js';

test('values are listed once per path, arrays flattened, objects as existing, nulls and catalogue fields left out', () => {
  const values = documentValues({
    id: 'x', severity: 5, service: { count: 3, action: { list: [[1, 'a'], { k: true }, null, 1] }, empty: [], nulls: [null] },
    'a b': { c: 'unreachable' }, 'a-b': { 'c@d': false }, nested: { empty: {} },
  });
  const shown = values.map((v) => `${v.path} ${v.kind}${v.text !== undefined ? ` ${v.text}` : ''}${v.number !== undefined ? ` ${v.number}` : ''}`).sort();
  assert.deepEqual(shown, [
    'a-b 0', 'a-b.c@d 3', 'nested 0', 'nested.empty 0', 'service 0', 'service.action 0', 'service.action.list 0', 'service.action.list 1 a',
    'service.action.list 2 1', 'service.action.list.k 4',
  ]);
});

test('text too long for an index is kept apart, and NUL, which PostgreSQL text refuses, becomes the replacement character', () => {
  const [long] = documentValues({ note: 'é'.repeat(1500) });
  assert.deepEqual([long?.text, long?.longText?.length], [undefined, 1500]);
  const [short] = documentValues({ note: 'é'.repeat(900) });
  assert.equal(short?.text?.length, 900);
  assert.equal(documentValues({ note: 'a\u0000b' })[0]?.text, 'a\uFFFDb');
  assert.equal(documentValues({ when: '2024-05-01T10:00:00Z' })[0]?.time, Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(documentValues({ x: 'p'.repeat(300), ['y'.repeat(300)]: { ['z'.repeat(301)]: 1 } }).length, 2, 'paths longer than 600 characters are left out');
  assert.equal(VALUE_KIND.object, 0);
});

test('text in a document reads as the same time as in SQLite, or as no time where SQLite finds none', () => {
  const db = new Database(':memory:');
  const sqlite = db.prepare("SELECT round(unixepoch(?, 'subsec') * 1000)").pluck();
  const digits = (n: number): fc.Arbitrary<string> => fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
  const piece = fc.oneof(
    fc.tuple(fc.constantFrom('', '-'), digits(4), digits(2), digits(2)).map(([m, y, mo, d]) => `${m}${y}-${mo}-${d}`),
    fc.tuple(digits(2), digits(2)).map(([h, m]) => `${h}:${m}`),
    fc.tuple(digits(2), digits(2), digits(2), fc.string({ unit: fc.constantFrom('0', '5', '9'), maxLength: 5 })).map(([h, m, s, f]) => `${h}:${m}:${s}${f ? `.${f}` : ''}`),
    fc.constantFrom('T', ' ', 'Z', 'z', '+', '-', '+02:00', '-14:59', '+15:00', '.', '5', '5.0', '-2', '1e3', ' \t', 'x', '2024-05-01T10:00:00Z', '2024-02-30', '24:00', '00:60'),
  );
  const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
  fc.assert(fc.property(text, (t) => assert.equal(documentTime(t) ?? null, sqlite.get(t), JSON.stringify(t))), { numRuns: 5000 });
  db.close();
});

test('a double’s exact decimal expansion reads back as the same double', () => {
  assert.equal(exactDecimal(0.1), '0.1000000000000000055511151231257827021181583404541015625');
  assert.equal(exactDecimal(-2.5), '-2.5');
  assert.equal(exactDecimal(1e21), '1000000000000000000000');
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => assert.equal(Number(exactDecimal(x)), x === 0 ? 0 : x)));
});
