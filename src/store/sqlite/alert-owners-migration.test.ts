// Rules and deliveries stored before rules had owners: the administrator owns the rules, and each delivery is
// linked to the findings it is about so that the delivery log can be scoped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { LEGACY_RULE_OWNER } from './alert-schema.js';
import { ALERT_OWNERS_SCHEMA_VERSION, migrate } from './schema.js';
import { SqliteAlertRuleStore } from './alert-rule-store.js';

test('existing rules get the Administrator role as owner and existing deliveries their findings', async () => {
  const db = new Database(':memory:');
  migrate(db, ALERT_OWNERS_SCHEMA_VERSION - 1);
  db.prepare(`INSERT INTO alert_rules (id, spec, created_at, updated_at) VALUES ('rul_1', ?, 1, 1)`).run(
    JSON.stringify({ name: 'r', enabled: true, query: '', minBand: 'Low', groupBy: 'finding', trigger: { kind: 'new' }, throttleSeconds: 60, includeSample: false, includeArchived: false, routes: [{ destination: 'd' }] }),
  );
  const insert = db.prepare(`INSERT INTO alert_deliveries (idempotency_key, rule, destination, kind, finding, message, status, attempts, next_attempt_at, arrived_at, created_at) VALUES ('k', 'rul_1', 'd', ?, ?, ?, 'sent', 1, 0, 0, 0)`);
  insert.run('new', '111122223333/eu-west-1/abc/def', '{}');
  const digest = { kind: 'digest', findings: [{ accountId: '444455556666', region: 'us-east-1', id: 'x1' }, { accountId: '777788889999', region: 'us-east-1', id: 'x2' }] };
  insert.run('digest', null, JSON.stringify(digest));
  migrate(db);
  const rule = await new SqliteAlertRuleStore(db).getRule('rul_1');
  assert.equal(rule?.owner, LEGACY_RULE_OWNER);
  assert.equal(rule?.owner, 'arn:yagura:iam:::role/Administrator');
  assert.equal(rule?.status, undefined);
  assert.deepEqual(db.prepare('SELECT delivery, account_id, region, id FROM alert_delivery_findings ORDER BY delivery, account_id').raw().all(), [
    [1, '111122223333', 'eu-west-1', 'abc/def'],
    [2, '444455556666', 'us-east-1', 'x1'],
    [2, '777788889999', 'us-east-1', 'x2'],
  ]);
  db.close();
});
