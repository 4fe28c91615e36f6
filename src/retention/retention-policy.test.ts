// Which rule decides a finding's retention: the first that matches and sets the scope, else the default, else forever.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideRetention, retentionPolicySchema, type AccountFacts } from './retention-policy.js';
import { configSchema } from '../config/schema.js';

const prod: AccountFacts = { accountId: '111122223333', group: 'payments', tags: { env: 'prod', pci: '' } };
const dev: AccountFacts = { accountId: '444455556666', group: 'unassigned', tags: { env: 'dev' } };

const policy = retentionPolicySchema.parse({
  default: { storeDays: 365 },
  rules: [
    { name: 'low', bands: ['Low'], storeDays: 90 },
    { name: 'pci-archive', tags: ['pci'], archiveDays: 3650 },
    { name: 'payments', groups: ['payments'], storeDays: 400, archiveDays: 2555 },
    { name: 'one-account', accounts: ['444455556666'], bands: ['Critical'], storeDays: 1000 },
  ],
});

describe('decideRetention', () => {
  test('the first matching rule that sets the scope decides, read top to bottom', () => {
    assert.deepEqual(decideRetention(policy, 'store', 'Low', prod), { rule: 'low', days: 90 });
    assert.deepEqual(decideRetention(policy, 'store', 'High', prod), { rule: 'payments', days: 400 });
    // pci-archive matches first but says nothing about the store.
    assert.deepEqual(decideRetention(policy, 'archive', 'Low', prod), { rule: 'pci-archive', days: 3650 });
  });

  test('all of a rule\'s criteria must hold; each list needs one match', () => {
    assert.deepEqual(decideRetention(policy, 'store', 'Critical', dev), { rule: 'one-account', days: 1000 });
    assert.deepEqual(decideRetention(policy, 'store', 'High', dev), { rule: 'default', days: 365 });
    assert.deepEqual(decideRetention(policy, 'archive', 'High', dev), { rule: 'default', days: undefined }, 'no archive default: forever');
  });

  test('a bare tag matches only the empty value, as alert routes read it', () => {
    const bare = retentionPolicySchema.parse({ rules: [{ name: 'env', tags: ['env'], storeDays: 7 }] });
    assert.equal(decideRetention(bare, 'store', 'Low', prod).days, undefined);
    assert.equal(decideRetention(bare, 'store', 'Low', { ...prod, tags: { env: '' } }).days, 7);
  });

  test('without rules or a default everything is kept forever', () => {
    const empty = retentionPolicySchema.parse({});
    assert.deepEqual(decideRetention(empty, 'store', 'Critical', prod), { rule: 'default', days: undefined });
    assert.deepEqual(configSchema.parse({}).retention.rules, []);
    assert.deepEqual(configSchema.parse({}).retention.default, {});
  });
});

describe('retentionPolicySchema', () => {
  const refuses = (input: unknown, pattern: RegExp): void => {
    const r = retentionPolicySchema.safeParse(input);
    assert.equal(r.success, false);
    assert.match(r.error!.issues.map((i) => i.message).join('; '), pattern);
  };

  test('refuses a rule that sets no days, zero days, duplicate names and unknown fields', () => {
    refuses({ rules: [{ name: 'x', bands: ['Low'] }] }, /storeDays, archiveDays or both/);
    refuses({ rules: [{ name: 'x', storeDays: 0 }] }, />=1/);
    refuses({ rules: [{ name: 'x', storeDays: 1 }, { name: 'X', archiveDays: 2 }] }, /already taken/);
    refuses({ rules: [{ name: 'default', storeDays: 1 }] }, /already taken/);
    refuses({ rules: [{ name: 'x', storeDays: 1, severity: 'Low' }] }, /severity/);
    refuses({ rules: [{ name: 'x', bands: ['Severe'], storeDays: 1 }] }, /Low|Invalid/);
    refuses({ rules: [{ name: 'x', accounts: ['12'], storeDays: 1 }] }, /12 digits/);
  });

  test('the configuration refuses the same', () => {
    assert.equal(configSchema.safeParse({ retention: { rules: [{ name: 'a', storeDays: 1 }, { name: 'a', storeDays: 2 }] } }).success, false);
    assert.equal(configSchema.parse({ retention: { default: { archiveDays: 2555 } } }).retention.default.archiveDays, 2555);
  });
});
