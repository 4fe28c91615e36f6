import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignInThrottle } from './sign-in-throttle.js';

const options = { freeFailures: 3, maxDelaySeconds: 8, windowSeconds: 600, maxTracked: 3 };

test('a few failures cost nothing; past them each failure doubles the wait, up to the cap', () => {
  let now = 0;
  const throttle = new SignInThrottle(options, () => now);
  for (let i = 0; i < 3; i++) throttle.failed('alice');
  assert.equal(throttle.retryAfterSeconds('alice'), 1);
  throttle.failed('alice');
  assert.equal(throttle.retryAfterSeconds('alice'), 2);
  for (let i = 0; i < 10; i++) throttle.failed('alice');
  assert.equal(throttle.retryAfterSeconds('alice'), 8, 'capped');
  now += 8000;
  assert.equal(throttle.retryAfterSeconds('alice'), 0, 'a delay, never a lock');
});

test('user names compare without case, and a success clears the failures', () => {
  const throttle = new SignInThrottle(options, () => 0);
  for (let i = 0; i < 5; i++) throttle.failed('Alice');
  assert.ok(throttle.retryAfterSeconds('alice') > 0);
  assert.equal(throttle.retryAfterSeconds('bob'), 0, 'other users are not slowed');
  throttle.succeeded('ALICE');
  assert.equal(throttle.retryAfterSeconds('alice'), 0);
});

test('failures older than the window are forgotten, and the table never grows past its bound', () => {
  let now = 0;
  const throttle = new SignInThrottle(options, () => now);
  for (let i = 0; i < 5; i++) throttle.failed('alice');
  now += 601_000;
  assert.equal(throttle.retryAfterSeconds('alice'), 0);
  for (const u of ['a', 'b', 'c', 'd']) for (let i = 0; i < 5; i++) throttle.failed(u);
  assert.equal(throttle.retryAfterSeconds('a'), 0, 'the oldest entry was dropped');
  assert.ok(throttle.retryAfterSeconds('d') > 0);
});
