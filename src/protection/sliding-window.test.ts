// The trailing-window counter behind rate-based rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateRules } from './rate-rules.js';
import { SlidingWindowCounter } from './sliding-window.js';

test('counts requests over the trailing window and forgets those older than it', () => {
  const c = new SlidingWindowCounter({ windowMs: 300_000, buckets: 10, maxKeys: 10 });
  const t0 = 1_000_000_000_000;
  for (let i = 0; i < 5; i++) assert.equal(c.hit('a', t0 + i), i + 1);
  assert.equal(c.hit('a', t0 + 150_000), 6);
  assert.equal(c.hit('a', t0 + 300_000), 2); // the first five have left the window
  assert.equal(c.hit('a', t0 + 10 * 300_000), 1);
});

test('keeps memory bounded by forgetting the least recently seen sources', () => {
  const c = new SlidingWindowCounter({ windowMs: 300_000, buckets: 10, maxKeys: 1000 });
  for (let i = 0; i < 100_000; i++) c.hit(`ip:${i}`, 1_000_000 + i);
  assert.equal(c.size, 1000);
});

test('tells how long until a source is under its limit again', () => {
  const c = new SlidingWindowCounter({ windowMs: 300_000, buckets: 10, maxKeys: 10 });
  const t0 = 1_800_000_000_000; // a bucket boundary
  for (let i = 0; i < 10; i++) c.hit('a', t0);
  assert.equal(c.msUntilBelow('a', 5, t0 + 1000), 299_000);
  assert.equal(c.msUntilBelow('a', 10, t0), 0);
});

test('refuses requests over the limit with a Retry-After, per scope, except allow-listed sources', () => {
  let now = 1_800_000_000_000;
  const rules = new RateRules({ windowSeconds: 300, limits: { ingest: 3, read: 100, login: 1 }, allowCidrs: ['10.0.0.0/8', '2001:db8::/32'], maxTrackedSources: 100 }, () => now);
  for (let i = 0; i < 3; i++) assert.deepEqual(rules.check('ingest', 'ip:198.51.100.1'), { allowed: true });
  const refused = rules.check('ingest', 'ip:198.51.100.1');
  assert.equal(refused.allowed, false);
  assert.ok(!refused.allowed && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 300);
  assert.deepEqual(rules.check('read', 'ip:198.51.100.1'), { allowed: true });
  assert.deepEqual(rules.blocks(), [{ scope: 'ingest', source: 'ip:198.51.100.1', count: 4, limit: 3 }]);
  assert.equal(rules.isAllowListed('10.1.2.3'), true);
  assert.equal(rules.isAllowListed('::ffff:10.1.2.3'), true);
  assert.equal(rules.isAllowListed('2001:db8::1'), true);
  assert.equal(rules.isAllowListed('198.51.100.1'), false);
  now += 301_000;
  assert.deepEqual(rules.check('ingest', 'ip:198.51.100.1'), { allowed: true });
  assert.throws(() => new RateRules({ windowSeconds: 300, limits: { ingest: 1, read: 1, login: 1 }, allowCidrs: ['10.0.0.0/33'], maxTrackedSources: 1 }), /not a CIDR block/);
});
