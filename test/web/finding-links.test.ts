// The finding view's links: the search each value implies parses back to exactly that value, and the GuardDuty
// console link stays on the AWS console whatever region and id a finding claims.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseQuery } from '../../src/query/parser.js';
import { consoleUrl, rangeHolding, resourceQuery, searchHref } from '../../web/src/finding-links.js';

const CONSOLE_HOSTS = /^(([a-z0-9-]+\.)?console\.aws\.amazon\.com|console\.amazonaws\.cn|console\.amazonaws-us-gov\.com)$/;

test('links a finding to its page in the GuardDuty console of its region', () => {
  assert.equal(consoleUrl('eu-west-1', '46ba0ac2845071e23ccdeb2ae03bfdea'), 'https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=46ba0ac2845071e23ccdeb2ae03bfdea');
  assert.equal(consoleUrl('us-gov-west-1', 'a'), 'https://console.amazonaws-us-gov.com/guardduty/home?region=us-gov-west-1#/findings?macros=current&fId=a');
  assert.equal(consoleUrl('cn-north-1', 'a'), 'https://console.amazonaws.cn/guardduty/home?region=cn-north-1#/findings?macros=current&fId=a');
});

test('keeps the console link on the AWS console for any region and id', () => {
  for (const region of ['javascript:alert(1)//', 'evil.example#', 'us-east-1.evil.example', 'us-east-1/../x', '@evil.example', 'US-EAST-1', '']) {
    assert.equal(new URL(consoleUrl(region, 'x')).host, 'console.aws.amazon.com', region);
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (region, id) => {
      const url = new URL(consoleUrl(region, id));
      assert.equal(url.protocol, 'https:');
      assert.match(url.host, CONSOLE_HOSTS);
      assert.equal(url.pathname, '/guardduty/home');
      assert.equal(decodeURIComponent(url.hash.slice('#/findings?macros=current&fId='.length)), id);
    }),
    { seed: 7, numRuns: 2000 },
  );
});

test('a resource becomes its type and identifier, each matched exactly', () => {
  const hostile = 'bucket" or type:* or "\\';
  assert.deepEqual(parseQuery(resourceQuery('S3Bucket', hostile)), {
    kind: 'and',
    children: [
      { kind: 'match', field: 'resourceType', value: { text: 'S3Bucket', quoted: true, wildcard: false } },
      { kind: 'match', field: 'resourceId', value: { text: hostile, quoted: true, wildcard: false } },
    ],
  });
  assert.deepEqual(parseQuery(resourceQuery('Instance', '')), { kind: 'match', field: 'resourceType', value: { text: 'Instance', quoted: true, wildcard: false } });
});

test('a search opened from a finding covers the time it was last updated', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  assert.equal(rangeHolding('2026-11-30T00:00:00Z', now), 'now-7d');
  assert.equal(rangeHolding('2026-11-20T00:00:00Z', now), 'now-30d');
  assert.equal(rangeHolding('2026-09-10T00:00:00Z', now), 'now-90d');
  assert.equal(rangeHolding('2025-01-01T12:00:00Z', now), '2024-12-31T12:00:00.000Z');
  assert.equal(rangeHolding(undefined, now), 'now-7d');
  assert.equal(searchHref('a:"b"', 'now-7d'), '/search?q=a%3A%22b%22');
  assert.equal(searchHref('a:"b"', 'now-30d'), '/search?q=a%3A%22b%22&from=now-30d');
});
