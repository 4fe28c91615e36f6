// The finding scope as the audit log writes it: `*` for every finding, else short KQL-like text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindQuery } from '../query/bind.js';
import { parseQuery } from '../query/parser.js';
import { MAX_SCOPE_TEXT, scopeText } from './scope-text.js';

const bound = (q: string): Parameters<typeof scopeText>[0] => bindQuery(parseQuery(q), { now: 0 }).root;

test('writes * for every finding and for a request that had no scope computed', () => {
  assert.equal(scopeText('all'), '*');
  assert.equal(scopeText(undefined), '*');
  assert.equal(scopeText({ kind: 'all' }), '*');
});

test('writes a scope of accounts and a condition as text naming the fields', () => {
  const text = scopeText(bound('accountId:(111111111111 or 222222222222) and severity >= 7 and not region:eu-*'));
  assert.match(text, /accountId/);
  assert.match(text, /111111111111/);
  assert.match(text, /222222222222/);
  assert.match(text, /severity >= 7/);
  assert.match(text, /not region:eu-\*/);
});

test('cuts a scope naming thousands of accounts, and says so', () => {
  const accounts = Array.from({ length: 2000 }, (_, i) => String(100000000000 + i));
  const text = scopeText({ kind: 'in', field: { kind: 'column', name: 'accountId', column: 'accountId', type: 'text' }, values: accounts });
  assert.equal(text.length, MAX_SCOPE_TEXT);
  assert.ok(text.endsWith('…'));
});
