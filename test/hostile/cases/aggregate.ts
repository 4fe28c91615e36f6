// Hostile aggregation requests for POST /api/v1/aggregate: bad shapes, bucket bombs, injected fields.
import { aggregate, error, found, nested, type HttpCase } from '../case.js';

const invalidParameter = error(400, 'INVALID_PARAMETER');
const invalidAggregation = error(400, 'INVALID_AGGREGATION');
const DAY = 86_400_000;
const MONTH_FROM = new Date(Date.parse('2026-11-30T00:00:00Z') - 30 * DAY).toISOString();
const MONTH_TO = '2026-11-30T00:00:00Z';

function agg(name: string, body: unknown, expect = invalidParameter): HttpCase {
  return { name, target: 'aggregate', request: () => aggregate(body), expect };
}

const histogram = (interval: string): unknown => ({ from: MONTH_FROM, to: MONTH_TO, aggs: { h: { date_histogram: { field: 'updatedAt', interval } } } });

export const AGGREGATE_CASES: readonly HttpCase[] = [
  agg('an unknown aggregation type', { aggs: { x: { histogram: { field: 'severity' } } } }),
  agg('aggregations nested two levels', {
    aggs: { a: { terms: { field: 'band' }, aggs: { b: { terms: { field: 'region' }, aggs: { c: { stats: { field: 'severity' } } } } } } },
  }),
  agg('terms with 10,000 buckets', { aggs: { t: { terms: { field: 'type', size: 10_000 } } } }),
  agg('a date histogram of 10,000 hourly buckets', {
    from: '2026-01-01T00:00:00Z',
    to: new Date(Date.parse('2026-01-01T00:00:00Z') + 10_000 * 3_600_000).toISOString(),
    aggs: { h: { date_histogram: { field: 'updatedAt', interval: '1h' } } },
  }, invalidAggregation),
  agg('interval 0h', histogram('0h'), invalidAggregation),
  agg('interval 1s over 30 days', histogram('1s'), invalidAggregation),
  agg('interval -1h', histogram('-1h'), invalidAggregation),
  agg('a calendar interval 1M', histogram('1M'), invalidAggregation),
  agg('an interval of 17 characters', histogram('1'.repeat(16) + 'h'), invalidParameter),
  agg('a range of 10,000 ranges', { aggs: { r: { range: { field: 'severity', ranges: Array.from({ length: 10_000 }, (_, i) => ({ from: i, to: i + 1 })) } } } }),
  agg('10,000 aggregations at once', { aggs: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, { stats: { field: 'severity' } }])) }),
  agg('no aggregations', { aggs: {} }),
  agg('aggs as an array', { aggs: [{ terms: { field: 'band' } }] }),
  agg('a body that is an array', [{ aggs: { x: { stats: { field: 'severity' } } } }]),
  agg('a body that is a JSON string', JSON.stringify('just a string')),
  agg('a field carrying SQL', { aggs: { x: { terms: { field: 'band) FROM findings; DROP TABLE findings; --' } } } }, invalidAggregation),
  agg('a field named __proto__', { aggs: { x: { terms: { field: '__proto__' } } } }, invalidAggregation),
  { name: 'an aggregation named __proto__ and nothing else', target: 'aggregate', request: () => aggregate('{"aggs":{"__proto__":{"terms":{"field":"band"}}}}'), expect: invalidParameter },
  { name: 'a __proto__ key at the top of the body', target: 'aggregate', request: () => aggregate('{"__proto__":{"polluted":true},"aggs":{"x":{"stats":{"field":"severity"}}}}'), expect: invalidParameter },
  { name: 'a range bound of 1e400', target: 'aggregate', request: () => aggregate('{"aggs":{"r":{"range":{"field":"severity","ranges":[{"from":1e400}]}}}}'), expect: invalidParameter },
  agg('a terms size given as a string', { aggs: { t: { terms: { field: 'band', size: '10' } } } }),
  agg('stats over a text field', { aggs: { s: { stats: { field: 'type' } } } }, invalidAggregation),
  agg('a date histogram over a number', { aggs: { h: { date_histogram: { field: 'severity', interval: '1h' } } } }, invalidAggregation),
  agg("a query of SQL ' OR 1=1 --", { q: "' OR 1=1 --", aggs: { s: { stats: { field: 'severity' } } } }, found('all')),
  agg('a 1 MB query', { q: 'a '.repeat(500_000), aggs: { s: { stats: { field: 'severity' } } } }),
  agg('from=yesterday', { from: 'yesterday', aggs: { s: { stats: { field: 'severity' } } } }, error(400, 'INVALID_TIME')),
  agg('an aggregation name with CRLF and Set-Cookie', { aggs: { 'x\r\nSet-Cookie: pwned=1': { stats: { field: 'severity' } } } }, found('all')),
  { name: 'a body nested 10,000 deep', target: 'aggregate', request: () => aggregate(`{"aggs":{"x":${nested(10_000, '1')}}}`), expect: invalidParameter },
  { name: 'text/plain', target: 'aggregate', request: () => aggregate({ aggs: { s: { stats: { field: 'severity' } } } }, 'text/plain'), expect: error(415, 'UNSUPPORTED_MEDIA_TYPE') },
  { name: 'an empty body', target: 'aggregate', request: () => aggregate(''), expect: error(400, 'EMPTY_BODY') },
  { name: 'malformed JSON', target: 'aggregate', request: () => aggregate('{"aggs":{"x":'), expect: error(400, 'INVALID_JSON') },
];
