// Hostile searches: KQL injection and bombs, bad ranges, sorts, sizes and cursors on GET /api/v1/findings.
import { error, found, search, searchRaw, type HttpCase, type HttpExpectation } from '../case.js';

function q(name: string, query: string, expect: HttpExpectation, todo?: string): HttpCase {
  return { name, target: 'query', request: () => search({ q: query }), expect, ...(todo !== undefined && { todo }) };
}

function param(name: string, params: Record<string, string>, expect: HttpExpectation): HttpCase {
  return { name, target: 'query', request: () => search(params), expect };
}

const invalidQuery = error(400, 'INVALID_QUERY');
const invalidParameter = error(400, 'INVALID_PARAMETER');

const injection: HttpCase[] = [
  // Documented: a term without any word matches everything, so this is "everything or (…)".
  q("SQL ' OR 1=1 -- as free text", "' OR 1=1 --", found('all')),
  q('SQL "; DROP TABLE findings; -- (an unterminated quote)', '"; DROP TABLE findings; --', invalidQuery),
  q("a quoted value closing SQL quotes x' OR '1'='1", `type:"x' OR '1'='1"`, found(0)),
  q('a value followed by ; DROP TABLE', 'id:1; DROP TABLE findings; --', found(0)),
  q("a value that closes a parenthesis x') OR ('1'='1", "title:x') OR ('1'='1", invalidQuery),
  q('a UNION SELECT over api_keys', "\\'; SELECT * FROM api_keys UNION SELECT hash FROM api_keys; --", found(0)),
  q('FTS5 NEAR( group', 'zzqx NEAR(zzqx zzqy, 2)', found(0)),
  q('FTS5 NEAR( dangling after a field', 'title:NEAR(', invalidQuery),
  q('FTS5 column filter and caret', '{findings_text}: ^zzqx', invalidQuery),
  q('FTS5 operators as words', 'zzqx AND NOT zzqy OR ^zzqz NEAR/2 "zz" *', found(0)),
  q('backslashes and escaped quotes', String.raw`title:"\\\" OR \\" \\ \: \(`, found(0)),
  q('a dangling backslash', 'title:abc\\', invalidQuery),
  q('CRLF and a Set-Cookie header in a quoted value', 'type:"x\r\nSet-Cookie: pwned=1"', found(0)),
  q('a NUL byte in a quoted value', 'title:"\u0000"', found(0)),
  // Documented: a term without any word matches everything.
  q('a bare NUL byte as free text', '\u0000', found('all')),
  q('a field name 1,000 segments deep', `${Array(1000).fill('a').join('.')}:1`, found(0)),
  q('a field name of Unicode letters', 'ü.櫓.σ:1', found(0)),
  q('a field name with SQL in it', 'doc);DROP:1', invalidQuery),
];

const bombs: HttpCase[] = [
  q('16 wildcards in one value (the limit)', `type:${'a*'.repeat(16)}`, found(0)),
  q('17 wildcards in one value', `type:${'a*'.repeat(17)}`, invalidQuery),
  q('a free-text word of 5,000 wildcards', '*a'.repeat(2500), invalidQuery),
  q('a regex-looking value with catastrophic backtracking', 'type:/^(a+)+$/', found(0)),
  q('GLOB metacharacters [a-z] and ?', 'title:[a-z]*?', found(0)),
  { name: 'a 1 MB query', target: 'query', request: () => search({ q: 'a '.repeat(500_000) }), expect: invalidParameter },
  q('10,000 unbalanced opening parentheses', '('.repeat(10_000), invalidQuery),
  q('10,000 closing parentheses', ')'.repeat(10_000), invalidQuery),
  q('5,000 balanced parentheses', `${'('.repeat(4998)}a${')'.repeat(4998)}`, invalidQuery),
  // 2,499 negations (an odd number) of a word no finding has: every finding matches.
  q('2,499 negations in a row', `${'not '.repeat(2499)}zzqx`, found('all')),
  q('129 conditions on document paths', Array.from({ length: 129 }, (_, i) => `a.b:${i}`).join(' or '), invalidQuery),
  q('a number beyond double precision for severity', 'severity > 1e400', invalidQuery),
  q('a count of 123456789012345678901234567890', 'count:123456789012345678901234567890', found(0)),
  q('counts at least MAX_SAFE_INTEGER (the huge seeded count is clamped there)', 'count >= 9007199254740991', found(1)),
  q('an unknown band', 'band:Severe', invalidQuery),
  q('a time of 999,999,999 years ago', 'updatedAt >= now-999999999y', invalidQuery),
];

const encoding: HttpCase[] = [
  { name: 'invalid UTF-8 percent-escapes in q', target: 'query', request: () => searchRaw('q=%FF%FE%ED%A0%80'), expect: found(0) },
  { name: 'a lone percent sign in q', target: 'query', request: () => searchRaw('q=%'), expect: found('all') },
  { name: 'q given twice', target: 'query', request: () => searchRaw('q=a&q=b'), expect: invalidParameter },
  { name: 'a __proto__[polluted] parameter', target: 'query', request: () => searchRaw('__proto__[polluted]=1&constructor[prototype][polluted]=1'), expect: invalidParameter },
  { name: 'a constructor parameter', target: 'query', request: () => searchRaw('constructor=x'), expect: invalidParameter },
];

const times: HttpCase[] = [
  param('from=yesterday', { from: 'yesterday' }, error(400, 'INVALID_TIME')),
  param('from on a day February does not have', { from: '2026-02-30' }, error(400, 'INVALID_TIME')),
  param('from of 17 digits', { from: '99999999999999999' }, error(400, 'INVALID_TIME')),
  param('from past the end of time', { from: '9999999999999999' }, error(400, 'INVALID_TIME')),
  param('from after to', { from: '2026-11-21', to: '2026-11-20' }, error(400, 'INVALID_TIME_RANGE')),
  param('from=now-999999999y', { from: 'now-999999999y' }, error(400, 'INVALID_TIME')),
  param('to=now+999999999M', { to: 'now+999999999M' }, error(400, 'INVALID_TIME')),
  param('from of 65 characters', { from: `2026-11-20T00:00:00.${'0'.repeat(44)}Z` }, invalidParameter),
  param('to with an offset of +25:00', { to: '2026-11-20T10:00:00+25:00' }, error(400, 'INVALID_TIME')),
  param('from=1e400', { from: '1e400' }, error(400, 'INVALID_TIME')),
  param('from=NaN and to=Infinity', { from: 'NaN', to: 'Infinity' }, error(400, 'INVALID_TIME')),
  param('from with a NUL byte', { from: '2026-11-20\u0000' }, error(400, 'INVALID_TIME')),
  param('from=-1', { from: '-1' }, error(400, 'INVALID_TIME')),
];

const sorts: HttpCase[] = [
  param('an unknown sort field', { sort: 'doc' }, error(400, 'INVALID_SORT')),
  param('SQL in the sort', { sort: 'updatedAt;DROP TABLE findings' }, error(400, 'INVALID_SORT')),
  param('sort=__proto__', { sort: '__proto__' }, error(400, 'INVALID_SORT')),
  param('sort=constructor', { sort: 'constructor' }, error(400, 'INVALID_SORT')),
  param('sort=-severity:asc', { sort: '-severity:asc' }, error(400, 'INVALID_SORT')),
  param('sort=severity:sideways', { sort: 'severity:sideways' }, error(400, 'INVALID_SORT')),
  param('a sort of 65 characters', { sort: 's'.repeat(65) }, invalidParameter),
];

const sizes: HttpCase[] = [
  param('size above the page limit', { size: '1001' }, invalidParameter),
  param('size=123456789012345678901234567890', { size: '123456789012345678901234567890' }, invalidParameter),
  param('size=1e400', { size: '1e400' }, invalidParameter),
  param('size=abc', { size: 'abc' }, invalidParameter),
  param('size=NaN', { size: 'NaN' }, invalidParameter),
  param('size=Infinity', { size: 'Infinity' }, invalidParameter),
  param('size=0', { size: '0' }, invalidParameter),
  param('size=-1', { size: '-1' }, invalidParameter),
  param('size=1.5', { size: '1.5' }, invalidParameter),
  param('an empty size', { size: '' }, invalidParameter),
];

function flip(c: string): string {
  return c === 'A' ? 'B' : 'A';
}

const cursors: HttpCase[] = [
  {
    name: 'a cursor with one signature character changed',
    target: 'query',
    request: (ctx) => search({ size: '1', cursor: `${ctx.cursor.slice(0, -1)}${flip(ctx.cursor.slice(-1))}` }),
    expect: error(400, 'INVALID_CURSOR'),
  },
  {
    name: 'a cursor whose position was rewritten under the old signature',
    target: 'query',
    request: (ctx) => {
      const [body, signature] = ctx.cursor.split('.');
      const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...payload, p: { value: "0 OR 1=1", key: { accountId: '..', region: '..', id: '..' } } })).toString('base64url');
      return search({ size: '1', cursor: `${forged}.${signature!}` });
    },
    expect: error(400, 'INVALID_CURSOR'),
  },
  { name: 'a genuine cursor reused for another query', target: 'query', request: (ctx) => search({ size: '1', q: 'tor', cursor: ctx.cursor }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a cursor that is not base64', target: 'query', request: () => search({ size: '1', cursor: 'garbage' }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a cursor of three parts', target: 'query', request: (ctx) => search({ size: '1', cursor: `${ctx.cursor}.x` }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a cursor of dots', target: 'query', request: () => search({ size: '1', cursor: '..' }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a JSON position instead of a cursor', target: 'query', request: () => search({ size: '1', cursor: '{"p":{"value":0},"f":""}' }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a cursor with CRLF and NUL', target: 'query', request: (ctx) => search({ size: '1', cursor: `${ctx.cursor}\r\n\u0000` }), expect: error(400, 'INVALID_CURSOR') },
  { name: 'a 5,000-character cursor', target: 'query', request: () => search({ size: '1', cursor: 'A'.repeat(5000) }), expect: invalidParameter },
];

export const QUERY_CASES: readonly HttpCase[] = [...injection, ...bombs, ...encoding, ...times, ...sorts, ...sizes, ...cursors];
