import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from './query-error.js';
import { parseTime, parseTimeInterval, resolveTimeRange } from './time-range.js';

/** Wednesday 15 May 2024, 12:34:56.789 UTC. */
const NOW = Date.parse('2024-05-15T12:34:56.789Z');
const at = (iso: string): number => Date.parse(iso);

function assertTimeError(run: () => unknown, code: 'INVALID_TIME' | 'INVALID_TIME_RANGE', includes: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof QueryError);
    assert.equal(error.code, code);
    assert.ok(error.message.includes(includes), `"${error.message}" should mention ${includes}`);
    return true;
  });
}

test('ISO dates are midnight UTC and ISO times without a zone are UTC', () => {
  assert.equal(parseTime('2024-05-01', NOW), at('2024-05-01T00:00:00Z'));
  assert.equal(parseTime('2024-05-01T10:00:00Z', NOW), at('2024-05-01T10:00:00Z'));
  assert.equal(parseTime('2024-05-01T10:00:00', NOW), at('2024-05-01T10:00:00Z'));
  assert.equal(parseTime('2024-05-01T10:00', NOW), at('2024-05-01T10:00:00Z'));
  assert.equal(parseTime('2024-05-01 10:00:00', NOW), at('2024-05-01T10:00:00Z'));
});

test('ISO times honour UTC offsets and fractional seconds, and years below 100 stay as written', () => {
  assert.equal(parseTime('2024-05-01T10:00:00+02:00', NOW), at('2024-05-01T08:00:00Z'));
  assert.equal(parseTime('2024-05-01T10:00:00-0530', NOW), at('2024-05-01T15:30:00Z'));
  assert.equal(parseTime('2024-05-01T10:00:00+09', NOW), at('2024-05-01T01:00:00Z'));
  assert.equal(parseTime('2024-05-01T10:00:00.123456Z', NOW), at('2024-05-01T10:00:00.123Z'));
  assert.equal(new Date(parseTime('0099-01-01', NOW)).getUTCFullYear(), 99);
});

test('digits are epoch milliseconds', () => {
  assert.equal(parseTime('1714557600000', NOW), 1_714_557_600_000);
  assert.equal(parseTime('0', NOW), 0);
});

test('surrounding whitespace is ignored', () => {
  assert.equal(parseTime('  now-1h ', NOW), NOW - 3_600_000);
});

test('now with offsets moves by fixed units', () => {
  assert.equal(parseTime('now', NOW), NOW);
  assert.equal(parseTime('now-24h', NOW), NOW - 24 * 3_600_000);
  assert.equal(parseTime('now-15m', NOW), NOW - 15 * 60_000);
  assert.equal(parseTime('now-30s', NOW), NOW - 30_000);
  assert.equal(parseTime('now-7d', NOW), NOW - 7 * 86_400_000);
  assert.equal(parseTime('now-90d', NOW), NOW - 90 * 86_400_000);
  assert.equal(parseTime('now+1h', NOW), NOW + 3_600_000);
  assert.equal(parseTime('now-1w', NOW), NOW - 7 * 86_400_000);
  assert.equal(parseTime('now-1d+2h', NOW), NOW - 22 * 3_600_000);
});

test('months and years move by the calendar and clamp to the end of shorter months', () => {
  assert.equal(parseTime('now-1M', NOW), at('2024-04-15T12:34:56.789Z'));
  assert.equal(parseTime('now-1y', NOW), at('2023-05-15T12:34:56.789Z'));
  assert.equal(parseTime('now-1M', at('2024-03-31T10:00:00Z')), at('2024-02-29T10:00:00Z'));
  assert.equal(parseTime('now+1y', at('2024-02-29T10:00:00Z')), at('2025-02-28T10:00:00Z'));
  assert.equal(parseTime('now-13M', NOW), at('2023-04-15T12:34:56.789Z'));
});

test('rounding goes down to the start of the unit, weeks starting on Monday', () => {
  assert.equal(parseTime('now/d', NOW), at('2024-05-15T00:00:00Z'));
  assert.equal(parseTime('now-1d/d', NOW), at('2024-05-14T00:00:00Z'));
  assert.equal(parseTime('now/h', NOW), at('2024-05-15T12:00:00Z'));
  assert.equal(parseTime('now/w', NOW), at('2024-05-13T00:00:00Z'));
  assert.equal(parseTime('now/M', NOW), at('2024-05-01T00:00:00Z'));
  assert.equal(parseTime('now/y', NOW), at('2024-01-01T00:00:00Z'));
});

test('a date-only or rounded time spans its whole unit, anything else one millisecond', () => {
  assert.deepEqual(parseTimeInterval('2024-05-01', NOW), { start: at('2024-05-01T00:00:00Z'), end: at('2024-05-02T00:00:00Z') });
  assert.deepEqual(parseTimeInterval('now-1d/d', NOW), { start: at('2024-05-14T00:00:00Z'), end: at('2024-05-15T00:00:00Z') });
  assert.deepEqual(parseTimeInterval('now/M', NOW), { start: at('2024-05-01T00:00:00Z'), end: at('2024-06-01T00:00:00Z') });
  assert.deepEqual(parseTimeInterval('now-1h', NOW), { start: NOW - 3_600_000, end: NOW - 3_600_000 + 1 });
});

test('the result does not depend on the local time zone', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'Pacific/Kiritimati';
  try {
    assert.equal(parseTime('2024-05-01', NOW), at('2024-05-01T00:00:00Z'));
    assert.equal(parseTime('now/d', NOW), at('2024-05-15T00:00:00Z'));
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('text that is not a time is rejected with a sentence naming it', () => {
  assertTimeError(() => parseTime('yesterday', NOW), 'INVALID_TIME', '"yesterday" is not a time');
  assertTimeError(() => parseTime('', NOW), 'INVALID_TIME', '"" is not a time');
  assertTimeError(() => parseTime('2024/05/01', NOW), 'INVALID_TIME', '"2024/05/01" is not a time');
  assertTimeError(() => parseTime('-5', NOW), 'INVALID_TIME', '"-5"');
});

test('impossible dates and times of day are rejected', () => {
  assertTimeError(() => parseTime('2024-02-30', NOW), 'INVALID_TIME', '"2024-02-30" is not a valid date');
  assertTimeError(() => parseTime('2023-02-29', NOW), 'INVALID_TIME', '"2023-02-29" is not a valid date');
  assertTimeError(() => parseTime('2024-13-01', NOW), 'INVALID_TIME', '"2024-13-01" is not a valid date');
  assertTimeError(() => parseTime('2024-05-01T24:00:00Z', NOW), 'INVALID_TIME', 'not a valid time of day');
  assertTimeError(() => parseTime('2024-05-01T10:00:00+24:00', NOW), 'INVALID_TIME', 'invalid UTC offset');
});

test('malformed relative times are rejected', () => {
  for (const text of ['now-5x', 'now-', 'now1d', 'now-1d/', 'now/1d', 'nowish', 'now-1D']) {
    assertTimeError(() => parseTime(text, NOW), 'INVALID_TIME', `${JSON.stringify(text)} is not a valid relative time`);
  }
});

test('times outside what a Date can hold are rejected', () => {
  assertTimeError(() => parseTime('now-999999999y', NOW), 'INVALID_TIME', 'out of range');
  assertTimeError(() => parseTime('now+999999999d', NOW), 'INVALID_TIME', 'out of range');
  assertTimeError(() => parseTime('9999999999999999', NOW), 'INVALID_TIME', 'out of range');
});

test('a time range resolves from inclusively and to exclusively', () => {
  assert.deepEqual(resolveTimeRange({ from: 'now-24h', to: 'now' }, NOW), { from: NOW - 86_400_000, to: NOW + 1 });
  assert.deepEqual(resolveTimeRange({ from: '2024-05-01', to: '2024-05-01' }, NOW), {
    from: at('2024-05-01T00:00:00Z'),
    to: at('2024-05-02T00:00:00Z'),
  });
  assert.deepEqual(resolveTimeRange({ from: 'now/d', to: 'now/d' }, NOW), { from: at('2024-05-15T00:00:00Z'), to: at('2024-05-16T00:00:00Z') });
});

test('a missing or blank end of a time range is unbounded', () => {
  assert.deepEqual(resolveTimeRange({}, NOW), { from: undefined, to: undefined });
  assert.deepEqual(resolveTimeRange({ from: 'now-1h' }, NOW), { from: NOW - 3_600_000, to: undefined });
  assert.deepEqual(resolveTimeRange({ from: ' ', to: 'now' }, NOW), { from: undefined, to: NOW + 1 });
});

test('a time range that starts after it ends is rejected', () => {
  assertTimeError(() => resolveTimeRange({ from: 'now', to: 'now-1d' }, NOW), 'INVALID_TIME_RANGE', 'from "now" is after to "now-1d"');
  assert.deepEqual(resolveTimeRange({ from: 'now', to: 'now' }, NOW), { from: NOW, to: NOW + 1 });
});

test('a bad end of a time range is reported as a bad time', () => {
  assertTimeError(() => resolveTimeRange({ from: 'last week' }, NOW), 'INVALID_TIME', '"last week"');
});
