// The background enforcer on a fake clock: a first pass soon after start, one per interval after that, only while the
// lease is held, a failed pass counted and retried, and close() ending the loop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetentionClock } from './retention-clock.js';
import { RetentionEnforcer, type RetentionPassRunner } from './retention-enforcer.js';

/** Time moves only when the enforcer sleeps: each sleep advances the clock by its length and resolves at once. */
class FakeClock implements RetentionClock {
  sleeps: number[] = [];
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return;
    this.time += ms;
    await new Promise((r) => setImmediate(r));
  }
}

const T0 = Date.parse('2026-12-01T00:00:00Z');

test('runs each scope once per interval at the clock\'s time while the lease is held, and stops on close', async () => {
  const clock = new FakeClock(T0);
  const runs: Array<[string, number]> = [];
  let held = true;
  let failNext = true;
  const passes: RetentionPassRunner[] = [
    { scope: 'store', run: async (now) => (runs.push(['store', now]), true) },
    {
      scope: 'archive',
      run: async (now) => {
        runs.push(['archive', now]);
        if (failNext) {
          failNext = false;
          throw new Error('bucket down');
        }
        return true;
      },
    },
  ];
  const outcomes: string[] = [];
  const enforcer = new RetentionEnforcer({
    passes,
    lease: { held: async () => held },
    clock,
    intervalMs: 3_600_000,
    firstPassDelayMs: 5_000,
    onPass: (scope, outcome) => outcomes.push(`${scope}:${outcome}`),
  });
  enforcer.start();
  while (runs.length < 4) await new Promise((r) => setImmediate(r));
  held = false;
  while (outcomes.length < 6) await new Promise((r) => setImmediate(r));
  await enforcer.close();
  assert.deepEqual(runs.slice(0, 4), [
    ['store', T0 + 5_000],
    ['archive', T0 + 5_000],
    ['store', T0 + 5_000 + 3_600_000],
    ['archive', T0 + 5_000 + 3_600_000],
  ]);
  assert.deepEqual(outcomes.slice(0, 6), ['store:done', 'archive:failed', 'store:done', 'archive:done', 'store:skipped', 'archive:skipped']);
  assert.equal(runs.length, 4, 'no pass runs without the lease');
});

test('passOnce runs one pass at a time', async () => {
  const clock = new FakeClock(T0);
  let active = 0;
  let most = 0;
  const outcomes: string[] = [];
  const enforcer = new RetentionEnforcer({
    passes: [
      {
        scope: 'store',
        run: async (_now, mayContinue) => {
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return mayContinue();
        },
      },
    ],
    lease: { held: async () => true },
    clock,
    intervalMs: 60_000,
    onPass: (scope, outcome) => outcomes.push(`${scope}:${outcome}`),
  });
  await Promise.all([enforcer.passOnce(), enforcer.passOnce(), enforcer.passOnce()]);
  assert.equal(most, 1);
  assert.deepEqual(outcomes, ['store:done', 'store:done', 'store:done']);
  await enforcer.close();
});
