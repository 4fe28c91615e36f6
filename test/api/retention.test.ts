// Retention over HTTP: the policy in effect and its replacement, the plan of the next pass (nothing removed), legal
// holds placed, listed and lifted, each change in the audit log, and every route refused without its action.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredAuditEntry } from '../../src/audit/audit-entry.js';
import { parseAuditQuery } from '../../src/audit/audit-query.js';
import { findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;

const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const PROD = '111111111111';
const DEV = '222222222222';

describe('retention API', () => {
  let h: Harness;
  const send = (method: 'GET' | 'PUT' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
    h.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Json }) });
  const ok = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown): Promise<Json> => {
    const res = await send(method, url, h.auth, payload);
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
    return res.json() as Json;
  };
  const iso = (ms: number): string => new Date(ms).toISOString();

  before(async () => {
    h = await harness({}, { now: () => NOW });
    await ok('PUT', `/api/v1/catalog/accounts/${PROD}`, { group: 'unassigned', tags: { env: 'prod' } });
    const docs = [
      findingDoc({ id: 'prod-low-100', accountId: PROD, severity: 2, updatedAt: iso(NOW - 100 * DAY) }),
      findingDoc({ id: 'prod-high-100', accountId: PROD, severity: 8, updatedAt: iso(NOW - 100 * DAY) }),
      findingDoc({ id: 'dev-low-100', accountId: DEV, severity: 2, updatedAt: iso(NOW - 100 * DAY), ip: '203.0.113.50' }),
      findingDoc({ id: 'dev-low-10', accountId: DEV, severity: 2, updatedAt: iso(NOW - 10 * DAY) }),
    ];
    const res = await send('POST', '/api/v1/events', h.auth, docs);
    assert.equal(res.statusCode, 200, res.body);
  });
  after(async () => h.close());

  test('without a policy put through the API the configuration\'s applies, and keeps everything', async () => {
    assert.deepEqual(await ok('GET', '/api/v1/retention'), { source: 'configuration', default: {}, rules: [] });
    const plan = await ok('GET', '/api/v1/retention/plan');
    assert.equal(plan.at, iso(NOW));
    assert.ok(plan.store.every((r: Json) => r.remove === 0 && r.days === null));
    assert.deepEqual(plan.archive, []);
  });

  test('a policy put is validated, answered and kept; the plan then counts per rule without removing anything', async () => {
    const bad = await send('PUT', '/api/v1/retention', h.auth, { rules: [{ name: 'low', bands: ['Low'] }] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_RETENTION_POLICY');
    assert.match(bad.json().error.message, /^rules\.0: a rule sets storeDays, archiveDays or both/);
    const put = await ok('PUT', '/api/v1/retention', {
      default: { storeDays: 365, archiveDays: 2555 },
      rules: [
        { name: 'prod', tags: ['env=prod'], storeDays: 400 },
        { name: 'low', bands: ['Low'], storeDays: 90 },
      ],
    });
    assert.equal(put.source, 'api');
    assert.equal(put.updatedAt, iso(NOW));
    assert.match(put.updatedBy, /^arn:yagura:iam:::/);
    assert.deepEqual((await ok('GET', '/api/v1/retention')).rules.map((r: Json) => r.name), ['prod', 'low']);
    const plan = await ok('GET', '/api/v1/retention/plan');
    const low = plan.store.find((r: Json) => r.rule === 'low');
    assert.deepEqual(low, { rule: 'low', days: 90, remove: 1, held: 0, oldestKept: iso(NOW - 10 * DAY) });
    assert.equal(plan.store.find((r: Json) => r.rule === 'prod').remove, 0);
    assert.equal(await h.embedded.store.count(), 4, 'a plan removes nothing');
  });

  test('legal holds are placed, listed, read and lifted, and count in the plan while they stand', async () => {
    for (const [payload, code] of [
      [{ reason: 'r' }, 'INVALID_LEGAL_HOLD'],
      [{ query: 'x', accountId: DEV, reason: 'r' }, 'INVALID_LEGAL_HOLD'],
      [{ accountId: '12', reason: 'r' }, 'INVALID_LEGAL_HOLD'],
      [{ query: 'severity >= ', reason: 'r' }, 'INVALID_LEGAL_HOLD'],
      [{ query: 'severity >= 7' }, 'INVALID_LEGAL_HOLD'],
      [{ query: 'severity >= 7', reason: 'r', extra: 1 }, 'INVALID_PARAMETER'],
    ] as const) {
      const res = await send('POST', '/api/v1/retention/holds', h.auth, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const created = await send('POST', '/api/v1/retention/holds', h.auth, { query: 'remoteIp:"203.0.113.50"', reason: 'subject access request 7' });
    assert.equal(created.statusCode, 201, created.body);
    const hold = created.json() as Json;
    assert.match(hold.id, /^lh-/);
    assert.deepEqual(hold, { id: hold.id, query: 'remoteIp:"203.0.113.50"', reason: 'subject access request 7', createdBy: hold.createdBy, createdAt: iso(NOW) });
    assert.deepEqual((await ok('GET', '/api/v1/retention/holds')).holds, [hold]);
    assert.deepEqual(await ok('GET', `/api/v1/retention/holds/${hold.id}`), hold);
    const low = (await ok('GET', '/api/v1/retention/plan')).store.find((r: Json) => r.rule === 'low');
    assert.deepEqual([low.remove, low.held, low.oldestKept], [0, 1, iso(NOW - 100 * DAY)]);

    const lifted = await ok('POST', `/api/v1/retention/holds/${hold.id}/lift`);
    assert.equal(lifted.liftedAt, iso(NOW));
    assert.deepEqual((await ok('GET', '/api/v1/retention/holds')).holds, []);
    assert.deepEqual((await ok('GET', '/api/v1/retention/holds?includeLifted=true')).holds, [lifted]);
    assert.equal((await ok('GET', '/api/v1/retention/plan')).store.find((r: Json) => r.rule === 'low').remove, 1);
    const missing = await send('POST', '/api/v1/retention/holds/lh-nope/lift', h.auth);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'LEGAL_HOLD_NOT_FOUND');

    await h.embedded.backend.audit.flush();
    const entries = (await h.embedded.backend.audit.search({ query: parseAuditQuery('action:*LegalHold or action:yagura:PutRetentionPolicy', NOW), size: 100 })).entries as StoredAuditEntry[];
    const byAction = (action: string): StoredAuditEntry[] => entries.filter((e) => e.action === action && e.status < 300);
    assert.equal(byAction('yagura:CreateLegalHold')[0]?.resource, `arn:yagura:retention:::legal-hold/${hold.id}`);
    assert.match(String(byAction('yagura:CreateLegalHold')[0]?.reason), /hold on query "remoteIp:\\"203\.0\.113\.50\\"": subject access request 7/);
    assert.equal(byAction('yagura:LiftLegalHold')[0]?.resource, `arn:yagura:retention:::legal-hold/${hold.id}`);
    assert.match(String(byAction('yagura:PutRetentionPolicy')[0]?.reason), /2 rules; default store 365 days, archive 2555 days/);
  });

  test('every route needs its own action: a principal allowed only to read the policy gets 403 elsewhere', async () => {
    await ok('POST', '/api/v1/policies', { name: 'read-retention', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:GetRetentionPolicy', Resource: '*' }] } });
    await ok('POST', '/api/v1/users', { name: 'auditor', policies: ['read-retention'] });
    const key = { 'x-api-key': (await ok('POST', '/api/v1/keys', { name: 'auditor', user: 'auditor' })).key as string };
    assert.equal((await send('GET', '/api/v1/retention', key)).statusCode, 200);
    for (const [method, url, payload] of [
      ['PUT', '/api/v1/retention', {}],
      ['GET', '/api/v1/retention/plan', undefined],
      ['GET', '/api/v1/retention/holds', undefined],
      ['POST', '/api/v1/retention/holds', { accountId: DEV, reason: 'r' }],
      ['GET', '/api/v1/retention/holds/lh-x', undefined],
      ['POST', '/api/v1/retention/holds/lh-x/lift', undefined],
    ] as const) {
      const res = await send(method, url, key, payload);
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
    assert.equal((await ok('GET', '/api/v1/retention/holds')).holds.length, 0, 'the refused hold was not placed');
  });
});
