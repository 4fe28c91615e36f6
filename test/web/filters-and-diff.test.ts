// The dashboard's pure pieces: filters built from clicked values parse back to exactly that value with the real
// KQL parser, whatever the text; and the history diff names the changed paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseQuery } from '../../src/query/parser.js';
import { diffJson } from '../../web/src/diff.js';
import { addClause, clause } from '../../web/src/kql.js';

test('a clicked value, however hostile, becomes a filter that matches exactly that value', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (value) => {
      const node = parseQuery(clause('type', value));
      assert.deepEqual(node, { kind: 'match', field: 'type', value: { text: value, quoted: true, wildcard: false } });
    }),
    { seed: 42, numRuns: 2000 },
  );
  for (const hostile of ['a" or severity >= 0 or "', 'x\\', '*', '<script>alert(1)</script>', ') or (']) {
    const node = parseQuery(clause('remoteOrg', hostile));
    assert.equal(node.kind === 'match' && node.value.text, hostile);
  }
});

test('adding a filter keeps the existing query grouped', () => {
  const node = parseQuery(addClause('band:High or band:Critical', clause('region', 'us-east-1')));
  assert.equal(node.kind, 'and');
  assert.equal(node.kind === 'and' && node.children[0]!.kind, 'or');
  assert.equal(addClause('  ', 'a:1'), 'a:1');
});

test('the history diff lists changed, added and removed paths', () => {
  const before = { service: { count: 1, archived: false, tags: ['a'] }, title: 't', gone: 1 };
  const after = { service: { count: 4, archived: false, tags: ['a', 'b'] }, title: 't', added: { x: 1 } };
  assert.deepEqual(diffJson(before, after), [
    { path: 'service.count', before: 1, after: 4 },
    { path: 'service.tags[1]', after: 'b' },
    { path: 'gone', before: 1 },
    { path: 'added', after: { x: 1 } },
  ]);
  assert.deepEqual(diffJson({ a: 1 }, { a: 1 }), []);
});
