// Once-per-incident decisions, triggers and retry backoff, as pure functions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SeverityBand } from '../findings/severity.js';
import type { FindingChange } from '../store/finding-store.js';
import { backoffMs } from './delivery-dispatcher.js';
import { decide, inScope, triggerFires, type Incident } from './evaluate.js';
import type { AlertRule, Trigger } from './rule.js';

function rule(trigger: Trigger, extra: Partial<AlertRule> = {}): AlertRule {
  return { id: 'r1', owner: 'arn:yagura:iam:::user/alice', name: 'r', enabled: true, query: '', minBand: 'High', groupBy: 'finding', trigger, throttleSeconds: 60, includeSample: false, includeArchived: false, routes: [{ destination: 'd' }], createdAt: 0, updatedAt: 0, ...extra };
}

function change(band: SeverityBand, at: number, extra: Partial<FindingChange> = {}): FindingChange {
  return {
    seq: 1,
    hash: 'h',
    outcome: 'created',
    band,
    count: 1,
    at,
    record: { key: { accountId: '111122223333', region: 'us-east-1', id: 'f1' }, doc: { service: {} }, derived: { band, firstSeen: at, lastSeen: at, versions: 1, archived: false } },
    ...extra,
  };
}

describe('alert decisions', () => {
  const r = rule({ kind: 'new' });

  test('a first match opens an incident and alerts', () => {
    const d = decide(r, change('High', 1000), 'g', undefined);
    assert.equal(d.alert, 'new');
    assert.equal(d.incident?.band, 'High');
  });

  test('within the throttle window an update only updates the incident; a higher band alerts as an escalation', () => {
    const first = decide(r, change('High', 1000), 'g', undefined).incident!;
    const update = decide(r, change('High', 20_000, { count: 9 }), 'g', first);
    assert.equal(update.alert, undefined);
    assert.equal(update.incident?.count, 9);
    const escalation = decide(r, change('Critical', 30_000), 'g', update.incident);
    assert.equal(escalation.alert, 'escalation');
    assert.equal(escalation.incident?.band, 'Critical');
    const sameAgain = decide(r, change('Critical', 40_000), 'g', escalation.incident);
    assert.equal(sameAgain.alert, undefined);
  });

  test('after the throttle window a match opens a new incident', () => {
    const first: Incident = decide(r, change('High', 1000), 'g', undefined).incident!;
    assert.equal(decide(r, change('High', 1000 + 61_000), 'g', first).alert, 'new');
  });

  test('count triggers fire when the count crosses the threshold, not on every version above it', () => {
    const c = rule({ kind: 'count', threshold: 10 });
    assert.equal(triggerFires(c, change('High', 0, { count: 5, previousCount: 1 })), false);
    assert.equal(triggerFires(c, change('High', 0, { count: 12, previousCount: 5 })), true);
    assert.equal(triggerFires(c, change('High', 0, { count: 15, previousCount: 12 })), false);
    assert.equal(triggerFires(c, change('High', 0, { count: 10 })), true);
  });

  test('escalation triggers fire only when the band rose above the replaced version', () => {
    const e = rule({ kind: 'escalation' });
    assert.equal(triggerFires(e, change('High', 0)), false);
    assert.equal(triggerFires(e, change('High', 0, { previousBand: 'Medium' })), true);
    assert.equal(triggerFires(e, change('High', 0, { previousBand: 'High' })), false);
  });

  test('band, scope, sample and archive filters leave out what a rule does not ask for', () => {
    assert.equal(inScope(r, change('Medium', 0)), false);
    assert.equal(inScope(rule({ kind: 'new' }, { accounts: ['999999999999'] }), change('High', 0)), false);
    assert.equal(inScope(rule({ kind: 'new' }, { regions: ['us-east-1'] }), change('High', 0)), true);
    const sample = change('High', 0);
    const sampled: FindingChange = { ...sample, record: { ...sample.record, doc: { service: { additionalInfo: { sample: true } } } } };
    assert.equal(inScope(r, sampled), false);
    assert.equal(inScope(rule({ kind: 'new' }, { includeSample: true }), sampled), true);
    const archived: FindingChange = { ...sample, record: { ...sample.record, derived: { ...sample.record.derived, archived: true } } };
    assert.equal(inScope(r, archived), false);
    assert.equal(inScope(rule({ kind: 'new' }, { includeArchived: true }), archived), true);
  });
});

describe('retry backoff', () => {
  const policy = { maxAttempts: 8, retryBaseMs: 1000, retryMaxMs: 30_000 };
  test('doubles per failure up to the cap, with jitter in the upper half', () => {
    assert.equal(backoffMs(1, policy, () => 0), 500);
    assert.equal(backoffMs(1, policy, () => 1), 1000);
    assert.equal(backoffMs(3, policy, () => 1), 4000);
    assert.equal(backoffMs(20, policy, () => 1), 30_000);
    assert.equal(backoffMs(20, policy, () => 0), 15_000);
  });
});
