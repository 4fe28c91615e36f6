import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindQuery, MAX_DOCUMENT_CONDITIONS } from './bind.js';
import type { BoundNode } from './bound.js';
import { CATALOG_FIELDS, resolveField } from './fields.js';
import { parseQuery } from './parser.js';
import { QueryError } from './query-error.js';
import { andScope, oneOf } from './scope.js';
import { validateQuery } from './validate.js';

const NOW = Date.parse('2024-05-02T13:00:00Z');
const bind = (q: string): BoundNode => bindQuery(parseQuery(q), { now: NOW }).root;

function assertRefused(q: string, includes: string): void {
  assert.throws(() => bind(q), (error: unknown) => {
    assert.ok(error instanceof QueryError);
    assert.equal(error.code, 'INVALID_QUERY');
    assert.ok(error.message.includes(includes), `"${error.message}" should mention ${includes}`);
    return true;
  });
}

test('aliases resolve to one catalogue field; other names are document paths', () => {
  assert.deepEqual(resolveField('service.count'), { kind: 'column', name: 'service.count', column: 'count', type: 'number' });
  assert.deepEqual(resolveField('severityBand'), { kind: 'column', name: 'severityBand', column: 'band', type: 'band' });
  assert.deepEqual(resolveField('remoteCountry'), { kind: 'remote', name: 'remoteCountry', column: 'remoteCountry' });
  assert.deepEqual(resolveField('service.action.x1'), { kind: 'document', name: 'service.action.x1', segments: ['service', 'action', 'x1'] });
  assert.ok(CATALOG_FIELDS.includes('resource.resourceType') && CATALOG_FIELDS.includes('resourceType'));
});

test('values are parsed once into what their field compares', () => {
  assert.deepEqual(bind('severity >= 7.5'), { kind: 'number', field: resolveField('severity'), op: '>=', value: 7.5 });
  assert.deepEqual(bind('band:high'), { kind: 'band', field: resolveField('band'), op: '=', rank: 3 });
  assert.deepEqual(bind('archived:TRUE'), { kind: 'boolean', field: resolveField('archived'), value: true });
  assert.deepEqual(bind('updatedAt:2024-05-01'), {
    kind: 'time', field: resolveField('updatedAt'), op: '=', span: { start: Date.parse('2024-05-01'), end: Date.parse('2024-05-02') },
  });
  assert.deepEqual(bind('updatedAt > now-1h'), { kind: 'time', field: resolveField('updatedAt'), op: '>', span: { start: NOW - 3_600_000, end: NOW - 3_600_000 + 1 } });
  assert.deepEqual(bind('type:Recon*'), { kind: 'text', field: resolveField('type'), test: { kind: 'wildcard', pattern: 'Recon*' } });
  assert.deepEqual(bind('remoteIp < "2"'), { kind: 'text', field: resolveField('remoteIp'), test: { kind: 'compare', op: '<', text: '2' } });
  assert.deepEqual(bind('a.b:7'), { kind: 'document', field: resolveField('a.b'), test: { kind: 'equals', text: '7', number: 7 } });
  assert.deepEqual(bind('a.b:False'), { kind: 'document', field: resolveField('a.b'), test: { kind: 'equals', text: 'False', boolean: 'false' } });
  assert.deepEqual(bind('a.b > 2024-05-01'), {
    kind: 'document', field: resolveField('a.b'), test: { kind: 'time', op: '>', span: { start: Date.parse('2024-05-01'), end: Date.parse('2024-05-02') } },
  });
  assert.deepEqual(bind('a.b > x'), { kind: 'document', field: resolveField('a.b'), test: { kind: 'compare', op: '>', text: 'x' } });
  assert.deepEqual(bind('recon* port'), { kind: 'and', children: [
    { kind: 'free-text', phrases: [{ words: ['recon'], prefix: true }] },
    { kind: 'free-text', phrases: [{ words: ['port'], prefix: false }] },
  ] });
});

test('values that do not fit their field are query errors naming field and value', () => {
  assertRefused('severity:high', 'severity needs a number, not "high"');
  assertRefused('band:Severe', 'unknown severity band "Severe" for band');
  assertRefused('severityBand:Hi*', 'severityBand does not take wildcards');
  assertRefused('archived:maybe', 'archived needs true or false');
  assertRefused('archived > true', 'cannot be compared');
  assertRefused('updatedAt:yesterday', 'invalid time for updatedAt');
  assertRefused(Array.from({ length: MAX_DOCUMENT_CONDITIONS + 1 }, (_, i) => `x.y:${i}`).join(' or '), 'conditions on document paths');
  assert.throws(() => bindQuery({ kind: 'exists', field: 'a..b' }), /invalid field name/);
});

test('validation parses and binds, and hands back the parse tree to bind again at each run', () => {
  assert.deepEqual(validateQuery('band >= High'), parseQuery('band >= High'));
  assert.throws(() => validateQuery('band:Severe'), (e: unknown) => e instanceof QueryError && e.code === 'INVALID_QUERY');
  assert.throws(() => validateQuery('type:('), (e: unknown) => e instanceof QueryError && e.position === 6);
});

test('a scope is AND-ed into a bound query, flattening conjunctions', () => {
  const accounts = oneOf('accountId', ['111122223333', '444455556666', '111122223333']);
  assert.deepEqual(accounts, { kind: 'in', field: resolveField('accountId'), values: ['111122223333', '444455556666'] });
  assert.deepEqual(andScope(bindQuery(parseQuery('')), accounts).root, accounts);
  const both = andScope(bindQuery(parseQuery('band:High and region:eu-west-1'), { now: NOW }), accounts).root;
  assert.equal(both.kind, 'and');
  assert.deepEqual(both.kind === 'and' && both.children.map((c) => c.kind), ['band', 'text', 'in']);
  assert.throws(() => oneOf('severity', ['7']), TypeError);
});
