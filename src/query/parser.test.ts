import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryNode, QueryValue } from './ast.js';
import { MAX_NESTING, MAX_QUERY_LENGTH, parseQuery } from './parser.js';
import { QueryError } from './query-error.js';

function v(text: string, options: { quoted?: boolean; wildcard?: boolean } = {}): QueryValue {
  return { text, quoted: options.quoted ?? false, wildcard: options.wildcard ?? false };
}
function match(field: string, text: string, options: { quoted?: boolean; wildcard?: boolean } = {}): QueryNode {
  return { kind: 'match', field, value: v(text, options) };
}
function text(value: string, options: { quoted?: boolean; wildcard?: boolean } = {}): QueryNode {
  return { kind: 'text', value: v(value, options) };
}
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });

/** Asserts that parsing fails with INVALID_QUERY at `position` and exactly `message`. */
function assertSyntaxError(query: string, message: string, position: number): void {
  assert.throws(
    () => parseQuery(query),
    (error: unknown) => {
      assert.ok(error instanceof QueryError, `expected a QueryError, got ${String(error)}`);
      assert.equal(error.code, 'INVALID_QUERY');
      assert.equal(error.message, message);
      assert.equal(error.position, position);
      return true;
    },
  );
}

test('an empty or blank query matches everything', () => {
  assert.deepEqual(parseQuery(''), { kind: 'all' });
  assert.deepEqual(parseQuery('  \t\n '), { kind: 'all' });
});

test('field:value matches a field', () => {
  assert.deepEqual(parseQuery('region:us-east-1'), match('region', 'us-east-1'));
});

test('whitespace may surround the colon', () => {
  assert.deepEqual(parseQuery('region : us-east-1'), match('region', 'us-east-1'));
});

test('a value after the colon keeps further colons, slashes and punctuation', () => {
  assert.deepEqual(parseQuery('type:Recon:EC2/PortProbeUnprotectedPort'), match('type', 'Recon:EC2/PortProbeUnprotectedPort'));
  assert.deepEqual(parseQuery('x:a.b-c!d&e/f'), match('x', 'a.b-c!d&e/f'));
  assert.deepEqual(parseQuery('x:a<b>=c'), match('x', 'a<b>=c'));
});

test('a quoted value is one phrase with its escapes resolved', () => {
  assert.deepEqual(parseQuery('title:"port probe"'), match('title', 'port probe', { quoted: true }));
  assert.deepEqual(parseQuery(String.raw`title:"say \"hi\" \\ \* \: \("`), match('title', String.raw`say "hi" \ * : (`, { quoted: true }));
});

test('a star inside quotes is a literal character, not a wildcard', () => {
  assert.deepEqual(parseQuery('type:"Recon*"'), match('type', 'Recon*', { quoted: true }));
  assert.deepEqual(parseQuery('type:"*"'), match('type', '*', { quoted: true }));
});

test('backslash escapes special characters in unquoted values', () => {
  assert.deepEqual(parseQuery(String.raw`x:a\:b\(c\)\"d\\e`), match('x', String.raw`a:b(c)"d\e`));
  assert.deepEqual(parseQuery(String.raw`x:a\ b`), match('x', 'a b'));
  assert.deepEqual(parseQuery(String.raw`x:\*`), match('x', '*'));
});

test('an unquoted star is a wildcard', () => {
  assert.deepEqual(parseQuery('type:UnauthorizedAccess*'), match('type', 'UnauthorizedAccess*', { wildcard: true }));
  assert.deepEqual(parseQuery('type:*Port*'), match('type', '*Port*', { wildcard: true }));
});

test('field:* asks whether the field exists', () => {
  assert.deepEqual(parseQuery('arn:*'), { kind: 'exists', field: 'arn' });
  assert.deepEqual(parseQuery('arn:(*)'), { kind: 'exists', field: 'arn' });
});

test('ranges accept every comparison operator, with or without spaces', () => {
  for (const op of ['<', '<=', '>', '>='] as const) {
    const expected: QueryNode = { kind: 'range', field: 'severity', op, value: v('7') };
    assert.deepEqual(parseQuery(`severity ${op} 7`), expected);
    assert.deepEqual(parseQuery(`severity${op}7`), expected);
  }
});

test('a range value may be quoted or an ISO time with colons', () => {
  assert.deepEqual(parseQuery('updatedAt < "2024-01-01"'), { kind: 'range', field: 'updatedAt', op: '<', value: v('2024-01-01', { quoted: true }) });
  assert.deepEqual(parseQuery('createdAt >= 2024-05-01T10:00:00Z'), { kind: 'range', field: 'createdAt', op: '>=', value: v('2024-05-01T10:00:00Z') });
  assert.deepEqual(parseQuery('createdAt >= now-1d/d'), { kind: 'range', field: 'createdAt', op: '>=', value: v('now-1d/d') });
});

test('and, or and not are case-insensitive', () => {
  assert.deepEqual(parseQuery('a:1 AND b:2'), and(match('a', '1'), match('b', '2')));
  assert.deepEqual(parseQuery('a:1 Or b:2'), or(match('a', '1'), match('b', '2')));
  assert.deepEqual(parseQuery('NOT a:1'), not(match('a', '1')));
});

test('not binds tighter than and, and and tighter than or', () => {
  assert.deepEqual(parseQuery('a:1 or b:2 and c:3'), or(match('a', '1'), and(match('b', '2'), match('c', '3'))));
  assert.deepEqual(parseQuery('a:1 and b:2 or c:3'), or(and(match('a', '1'), match('b', '2')), match('c', '3')));
  assert.deepEqual(parseQuery('not a:1 and b:2'), and(not(match('a', '1')), match('b', '2')));
  assert.deepEqual(parseQuery('not a:1 or b:2'), or(not(match('a', '1')), match('b', '2')));
});

test('parentheses override precedence', () => {
  assert.deepEqual(parseQuery('(a:1 or b:2) and c:3'), and(or(match('a', '1'), match('b', '2')), match('c', '3')));
  assert.deepEqual(parseQuery('not (a:1 or b:2)'), not(or(match('a', '1'), match('b', '2'))));
});

test('adjacent terms without an operator are combined with and', () => {
  assert.deepEqual(parseQuery('port probe'), and(text('port'), text('probe')));
  assert.deepEqual(parseQuery('a:1 b:2 or c:3'), or(and(match('a', '1'), match('b', '2')), match('c', '3')));
  assert.deepEqual(parseQuery('a:1 not b:2'), and(match('a', '1'), not(match('b', '2'))));
  assert.deepEqual(parseQuery('a:1 (b:2)'), and(match('a', '1'), match('b', '2')));
});

test('chains of the same operator are flattened', () => {
  assert.deepEqual(parseQuery('a:1 and (b:2 and c:3) and d:4'), and(match('a', '1'), match('b', '2'), match('c', '3'), match('d', '4')));
  assert.deepEqual(parseQuery('(a:1 or b:2) or c:3'), or(match('a', '1'), match('b', '2'), match('c', '3')));
});

test('a double negation cancels out, however long the chain', () => {
  assert.deepEqual(parseQuery('not not a:1'), match('a', '1'));
  assert.deepEqual(parseQuery('not not not a:1'), not(match('a', '1')));
  assert.deepEqual(parseQuery(`${'not '.repeat(2000)}a:1`), match('a', '1'));
});

test('a value list desugars into an or of matches on the field', () => {
  assert.deepEqual(
    parseQuery('type:(a or b or "c d")'),
    or(match('type', 'a'), match('type', 'b'), match('type', 'c d', { quoted: true })),
  );
});

test('a value list supports and, not, nesting and implicit and', () => {
  assert.deepEqual(parseQuery('tag:(a and b)'), and(match('tag', 'a'), match('tag', 'b')));
  assert.deepEqual(parseQuery('tag:(a or not b)'), or(match('tag', 'a'), not(match('tag', 'b'))));
  assert.deepEqual(parseQuery('tag:(a or (b and c*))'), or(match('tag', 'a'), and(match('tag', 'b'), match('tag', 'c*', { wildcard: true }))));
  assert.deepEqual(parseQuery('tag:(a b)'), and(match('tag', 'a'), match('tag', 'b')));
  assert.deepEqual(parseQuery('type:(Recon:EC2/Portscan or x)'), or(match('type', 'Recon:EC2/Portscan'), match('type', 'x')));
});

test('a value list is one operand of the surrounding expression', () => {
  assert.deepEqual(parseQuery('not tag:(a or b) and c:1'), and(not(or(match('tag', 'a'), match('tag', 'b'))), match('c', '1')));
});

test('dotted field paths name nested fields', () => {
  const field = 'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4';
  assert.deepEqual(parseQuery(`${field}:198.51.100.7`), match(field, '198.51.100.7'));
  assert.deepEqual(parseQuery('@timestamp:1 and a_b-c.d1:2'), and(match('@timestamp', '1'), match('a_b-c.d1', '2')));
});

test('bare words and quoted phrases are free text', () => {
  assert.deepEqual(parseQuery('198.51.100.7'), text('198.51.100.7'));
  assert.deepEqual(parseQuery('i-0abc'), text('i-0abc'));
  assert.deepEqual(parseQuery('"port probe"'), text('port probe', { quoted: true }));
  assert.deepEqual(parseQuery('portprobe*'), text('portprobe*', { wildcard: true }));
});

test('an escaped or quoted keyword is an ordinary word', () => {
  assert.deepEqual(parseQuery(String.raw`\and`), text('and'));
  assert.deepEqual(parseQuery('"or"'), text('or', { quoted: true }));
  assert.deepEqual(parseQuery('x:or:y'), match('x', 'or:y'));
  assert.deepEqual(parseQuery('x:android'), match('x', 'android'));
});

test('up to 16 wildcards in one value are accepted', () => {
  assert.deepEqual(parseQuery(`x:${'a*'.repeat(16)}`), match('x', 'a*'.repeat(16), { wildcard: true }));
});

test('syntax errors name the unexpected token and its position', () => {
  assertSyntaxError('title:(foo or )', 'unexpected ")" at position 14: expected a value', 14);
  assertSyntaxError('a:1)', 'unexpected ")" at position 3: it closes no "("', 3);
  assertSyntaxError('a:1 and', 'unexpected end of query at position 7: expected a term', 7);
  assertSyntaxError('a:1 or', 'unexpected end of query at position 6: expected a term', 6);
  assertSyntaxError('not', 'unexpected end of query at position 3: expected a term', 3);
  assertSyntaxError('and a:1', 'unexpected "and" at position 0: expected a term', 0);
  assertSyntaxError('a:1 or or b:2', 'unexpected "or" at position 7: expected a term', 7);
  assertSyntaxError('()', 'unexpected ")" at position 1: expected a term', 1);
  assertSyntaxError('type:', 'unexpected end of query at position 5: expected a value', 5);
  assertSyntaxError('type:)', 'unexpected ")" at position 5: expected a value', 5);
  assertSyntaxError('type:or', 'unexpected "or" at position 5: expected a value', 5);
  assertSyntaxError('tag:()', 'unexpected ")" at position 5: expected a value', 5);
  assertSyntaxError('severity >=', 'unexpected end of query at position 11: expected a value', 11);
  assertSyntaxError('severity > (7)', 'unexpected "(" at position 11: expected a value', 11);
  assertSyntaxError(':x', 'unexpected ":" at position 0: expected a field name before ":"', 0);
  assertSyntaxError('a:1 >= 7', 'unexpected ">=" at position 4: expected a field name before ">="', 4);
});

test('an unterminated quoted string is reported where it starts', () => {
  assertSyntaxError('type:"abc', 'unterminated quoted string starting at position 5', 5);
  assertSyntaxError(String.raw`"abc\"`, 'unterminated quoted string starting at position 0', 0);
});

test('an unclosed parenthesis is reported with both positions', () => {
  assertSyntaxError('a:1 and (b:2 or c:3 d:4', 'expected ")" at position 23 to close "(" at position 8', 23);
  assertSyntaxError('tag:(a or b', 'expected ")" at position 11 to close "(" at position 4', 11);
});

test('a dangling backslash is an error at its position', () => {
  assertSyntaxError(String.raw`type:abc\ `.trimEnd(), String.raw`unfinished escape at position 8: "\" must be followed by a character`, 8);
});

test('invalid field names are rejected', () => {
  const hint = 'use letters, digits, "_", "-", "@" and "." between names';
  assertSyntaxError('a/b:c', `invalid field name "a/b" at position 0: ${hint}`, 0);
  assertSyntaxError('x and a..b:c', `invalid field name "a..b" at position 6: ${hint}`, 6);
  assertSyntaxError('.a:c', `invalid field name ".a" at position 0: ${hint}`, 0);
  assertSyntaxError('"type":x', 'unexpected ":" at position 6: a field name cannot be quoted', 6);
  assertSyntaxError('ty*e:x', 'wildcard in the field name at position 0: field names must be spelled out', 0);
});

test('a wildcard in a range value is rejected', () => {
  assertSyntaxError('severity >= 7*', 'wildcard in a range at position 12: ">=" needs a single value', 12);
});

test('more than 16 wildcards in a value are rejected', () => {
  assertSyntaxError(`x:${'a*'.repeat(17)}`, 'too many wildcards in the value at position 2: at most 16 "*" are allowed', 2);
  assertSyntaxError(`a ${'*'.repeat(17)}`, 'too many wildcards in the value at position 2: at most 16 "*" are allowed', 2);
});

test('a value cannot mix wildcards with an escaped star', () => {
  assertSyntaxError(
    String.raw`x:a\*b*`,
    String.raw`mixed wildcards in the value at position 2: a value with "*" wildcards cannot also contain "\*"`,
    2,
  );
});

test('queries up to 10,000 characters are accepted and longer ones rejected', () => {
  assert.deepEqual(parseQuery('a'.repeat(10_000)), text('a'.repeat(10_000)));
  assertSyntaxError('a'.repeat(10_001), 'query too long at position 10000: it has 10001 characters and at most 10000 are allowed', 10_000);
});

test('64 levels of parentheses are accepted and the 65th is rejected', () => {
  assert.deepEqual(parseQuery(`${'('.repeat(64)}a:1${')'.repeat(64)}`), match('a', '1'));
  assertSyntaxError(`${'('.repeat(65)}a:1${')'.repeat(65)}`, 'too many nested parentheses at position 64: at most 64 levels are allowed', 64);
  assertSyntaxError(`tag:${'('.repeat(65)}a${')'.repeat(65)}`, 'too many nested parentheses at position 68: at most 64 levels are allowed', 68);
});

test('hostile inputs fail fast with a QueryError and nothing else', () => {
  // Each is refused at the first limit it meets, at that limit's position: past the length limit before any of it is
  // read, past 64 parentheses before recursing deeper. How long parsing takes is for a benchmark, not a unit test.
  const hostile: Array<[query: string, position: number]> = [
    ['('.repeat(10_000), MAX_NESTING],
    [')'.repeat(10_000), 0],
    ['x'.repeat(1_000_000), MAX_QUERY_LENGTH],
    ['('.repeat(1_000_000), MAX_QUERY_LENGTH],
    ['"'.repeat(9_999), 9_998],
    ['\\'.repeat(9_999), 9_998],
    [`x:${'*'.repeat(9_998)}`, 2],
    ['not '.repeat(2_500), 10_000],
    ['a:(b:('.repeat(1_600), 3 * MAX_NESTING + 2],
  ];
  for (const [query, position] of hostile) {
    assert.throws(() => parseQuery(query), (error: unknown) => error instanceof QueryError && error.position === position, `${query.slice(0, 20)}…`);
  }
  // A chain of colons is a valid query and is accepted.
  assert.doesNotThrow(() => parseQuery('a:'.repeat(5_000)));
});

test('random strings of query syntax parse or throw a QueryError with a position inside the query', () => {
  const alphabet = ['a', 'b', ':', '"', '\\', '(', ')', '*', '<', '>=', ' ', 'and', 'or', 'not', '.', '-', '/', 'é', '\t'];
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  for (let i = 0; i < 3_000; i++) {
    const parts = Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]!);
    const query = parts.join(random(2) === 0 ? ' ' : '');
    try {
      parseQuery(query);
    } catch (error) {
      assert.ok(error instanceof QueryError, `${JSON.stringify(query)} threw ${String(error)}`);
      assert.ok(error.position !== undefined && error.position >= 0 && error.position <= query.length, JSON.stringify(query));
      assert.match(error.message, new RegExp(`position ${error.position}\\b`));
    }
  }
});
