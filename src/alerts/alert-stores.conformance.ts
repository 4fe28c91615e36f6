// The behaviour alerting's stores must show together; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlertStores } from './alert-stores.js';
import type { NewDelivery } from './delivery-log.js';
import type { Incident } from './evaluate.js';
import type { AlertFinding } from './message.js';
import type { RuleSpec } from './rule.js';

export interface AlertStoresHandle {
  readonly alerts: AlertStores;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');

const FINDING: AlertFinding = {
  accountId: '111122223333',
  region: 'us-east-1',
  id: 'f1',
  type: 'Recon:EC2/PortProbeUnprotectedPort',
  title: 'probe',
  severity: 8,
  band: 'High',
  resource: 'Instance i-1',
  actor: '198.51.100.1',
  count: 1,
  updatedAt: '2026-11-20T00:00:00.000Z',
};

const RULE: RuleSpec = {
  name: 'r',
  enabled: true,
  query: '',
  minBand: 'High',
  groupBy: 'finding',
  trigger: { kind: 'new' },
  throttleSeconds: 60,
  includeSample: false,
  includeArchived: false,
  routes: [{ destination: 'd' }],
};

const OWNER = 'arn:yagura:iam:::user/alice';

function delivery(destination: string, arrivedAt = T0): NewDelivery {
  return { rule: 'r1', destination, kind: 'new', finding: '111122223333/us-east-1/f1', about: [{ accountId: '111122223333', region: 'us-east-1', id: 'f1' }], message: { kind: 'new', rule: { id: 'r1', name: 'r' }, findings: [FINDING] }, arrivedAt };
}

const INCIDENT: Incident = { rule: 'r1', groupKey: 'g', openedAt: T0, lastAlertAt: T0, band: 'High', count: 1, updates: 1, alerts: 1, updatedAt: T0 };

/** Registers the conformance tests for one backend; `open` gives a fresh, empty store each time. */
export function describeAlertStores(name: string, open: () => Promise<AlertStoresHandle>): void {
  const withStore = (title: string, body: (alerts: AlertStores) => Promise<void>): void => {
    test(title, async () => {
      const handle = await open();
      try {
        await body(handle.alerts);
      } finally {
        await handle.cleanup();
      }
    });
  };

  describe(`Alert stores conformance: ${name}`, () => {
    withStore('keeps destinations with their secrets, replaces and deletes them', async (alerts) => {
      const d = await alerts.destinations.createDestination({ type: 'webhook', name: 'siem', url: 'https://siem.example.com/in', secret: 'a-secret-of-length' }, T0);
      assert.deepEqual(await alerts.destinations.getDestination(d.id), d);
      const replaced = await alerts.destinations.replaceDestination(d.id, { type: 'slack', name: 'slack', url: 'https://hooks.slack.com/x' }, T0 + 1);
      assert.equal(replaced?.type, 'slack');
      assert.equal(replaced?.updatedAt, T0 + 1);
      assert.equal(replaced?.createdAt, T0);
      assert.equal((await alerts.destinations.listDestinations()).length, 1);
      assert.equal(await alerts.destinations.replaceDestination('dst_missing', { type: 'slack', name: 's', url: 'https://x' }, T0), undefined);
      assert.equal(await alerts.destinations.deleteDestination(d.id), true);
      assert.equal(await alerts.destinations.deleteDestination(d.id), false);
      assert.equal(await alerts.destinations.getDestination(d.id), undefined);
    });

    withStore('keeps rules in creation order, replaces and deletes them with their incidents', async (alerts) => {
      const a = await alerts.rules.createRule(RULE, OWNER, T0);
      const b = await alerts.rules.createRule({ ...RULE, name: 'b' }, OWNER, T0 + 1);
      assert.deepEqual((await alerts.rules.listRules()).map((r) => r.id), [a.id, b.id]);
      assert.equal((await alerts.rules.replaceRule(a.id, { ...RULE, enabled: false }, T0 + 2))?.enabled, false);
      await alerts.evaluation.commitEvaluation({ cursor: 1, incidents: [{ ...INCIDENT, rule: a.id }], deliveries: [], digestItems: [] }, T0);
      assert.equal(await alerts.rules.deleteRule(a.id), true);
      assert.equal(await alerts.evaluation.incident(a.id, 'g'), undefined);
      assert.deepEqual((await alerts.rules.listRules()).map((r) => r.id), [b.id]);
    });

    withStore('commits incidents, deliveries, digest items and the cursor together', async (alerts) => {
      assert.equal(await alerts.evaluation.cursor(), 0);
      await alerts.evaluation.commitEvaluation({ cursor: 42, incidents: [INCIDENT], deliveries: [delivery('d1'), delivery('d2')], digestItems: [{ rule: 'r2', finding: FINDING, at: T0 }] }, T0);
      assert.equal(await alerts.evaluation.cursor(), 42);
      assert.deepEqual(await alerts.evaluation.incident('r1', 'g'), INCIDENT);
      const updated = { ...INCIDENT, count: 9, updates: 2, updatedAt: T0 + 5 };
      await alerts.evaluation.commitEvaluation({ cursor: 43, incidents: [updated], deliveries: [], digestItems: [] }, T0 + 5);
      assert.deepEqual(await alerts.evaluation.incident('r1', 'g'), updated);
      const due = await alerts.deliveries.dueDeliveries(T0, 10, new Set());
      assert.deepEqual(due.map((d) => [d.destination, d.status, d.attempts]), [['d1', 'pending', 0], ['d2', 'pending', 0]]);
      assert.notEqual(due[0]!.idempotencyKey, due[1]!.idempotencyKey);
      assert.deepEqual(due[0]!.message.findings[0], FINDING);
    });

    withStore('hands out due deliveries oldest first, leaving out those in flight and those not yet due', async (alerts) => {
      const [a, b, c] = await alerts.deliveries.enqueue([delivery('a'), delivery('b'), delivery('c')], T0);
      await alerts.deliveries.markFailed(c!, 'boom', T0, T0 + 1000);
      assert.deepEqual((await alerts.deliveries.dueDeliveries(T0, 10, new Set([a!]))).map((d) => d.id), [b]);
      assert.deepEqual((await alerts.deliveries.dueDeliveries(T0, 1, new Set())).map((d) => d.id), [a]);
      assert.equal(await alerts.deliveries.nextDueAt(), T0);
      await alerts.deliveries.markSent(a!, T0 + 10, 10);
      await alerts.deliveries.markSent(b!, T0 + 10, 10);
      assert.equal(await alerts.deliveries.nextDueAt(), T0 + 1000);
      assert.deepEqual((await alerts.deliveries.dueDeliveries(T0 + 1000, 10, new Set())).map((d) => [d.id, d.attempts, d.lastError]), [[c, 1, 'boom']]);
    });

    withStore('dead-letters a delivery, lists it, and puts it back on retry', async (alerts) => {
      const [id] = await alerts.deliveries.enqueue([delivery('d')], T0);
      await alerts.deliveries.markFailed(id!, 'refused', T0 + 1, undefined);
      assert.deepEqual((await alerts.deliveries.listDeliveries({ status: 'dead', limit: 10 })).map((d) => d.id), [id]);
      assert.deepEqual(await alerts.deliveries.dueDeliveries(T0 + 10_000, 10, new Set()), []);
      assert.equal(await alerts.deliveries.retryDead(id!, T0 + 2), true);
      assert.equal(await alerts.deliveries.retryDead(id!, T0 + 2), false);
      const d = await alerts.deliveries.getDelivery(id!);
      assert.deepEqual([d?.status, d?.attempts, d?.nextAttemptAt], ['pending', 0, T0 + 2]);
      await alerts.deliveries.markSent(id!, T0 + 3, 3);
      const sent = await alerts.deliveries.getDelivery(id!);
      assert.deepEqual([sent?.status, sent?.sentAt, sent?.latencyMs, sent?.lastError], ['sent', T0 + 3, 3, undefined]);
    });

    withStore('lists deliveries newest first with filters and paging', async (alerts) => {
      const ids = await alerts.deliveries.enqueue([delivery('a'), delivery('b'), delivery('a')], T0);
      assert.deepEqual((await alerts.deliveries.listDeliveries({ limit: 10 })).map((d) => d.id), [...ids].reverse());
      assert.deepEqual((await alerts.deliveries.listDeliveries({ destination: 'a', limit: 10 })).map((d) => d.id), [ids[2], ids[0]]);
      assert.deepEqual((await alerts.deliveries.listDeliveries({ limit: 10, before: ids[2]! })).map((d) => d.id), [ids[1], ids[0]]);
      assert.equal(await alerts.deliveries.deleteDelivery(ids[0]!), true);
      assert.equal(await alerts.deliveries.getDelivery(ids[0]!), undefined);
    });

    withStore('cuts a digest: collected items become deliveries once, atomically', async (alerts) => {
      await alerts.evaluation.commitEvaluation({ cursor: 1, incidents: [], deliveries: [], digestItems: [{ rule: 'r', finding: FINDING, at: T0 }, { rule: 'r', finding: { ...FINDING, id: 'f2' }, at: T0 + 1 }, { rule: 'other', finding: FINDING, at: T0 }] }, T0);
      const seen: string[][] = [];
      const n = await alerts.evaluation.cutDigest('r', (items) => {
        seen.push(items.map((i) => i.finding.id));
        return [{ ...delivery('d'), kind: 'digest' }];
      }, T0 + 5);
      assert.equal(n, 1);
      assert.deepEqual(seen, [['f1', 'f2']]);
      assert.equal(await alerts.evaluation.cutDigest('r', () => [delivery('d')], T0 + 6), 0, 'nothing collected since the last cut');
      assert.equal((await alerts.deliveries.listDeliveries({ limit: 10 })).length, 1);
      await assert.rejects(alerts.evaluation.cutDigest('other', () => {
        throw new Error('build failed');
      }, T0 + 7));
      assert.equal(await alerts.evaluation.cutDigest('other', () => [delivery('d')], T0 + 8), 1, 'a failed cut keeps its items');
    });

    withStore('drops collected digest items when a rule stops being a digest', async (alerts) => {
      const rule = await alerts.rules.createRule({ ...RULE, trigger: { kind: 'digest', schedule: '0 9 * * *', timezone: 'UTC' } }, OWNER, T0);
      await alerts.evaluation.commitEvaluation({ cursor: 1, incidents: [], deliveries: [], digestItems: [{ rule: rule.id, finding: FINDING, at: T0 }] }, T0);
      await alerts.rules.replaceRule(rule.id, RULE, T0 + 1);
      assert.equal(await alerts.evaluation.cutDigest(rule.id, () => [delivery('d')], T0 + 2), 0);
    });

    withStore('prunes old incidents and finished deliveries but never pending ones', async (alerts) => {
      await alerts.evaluation.commitEvaluation({ cursor: 1, incidents: [INCIDENT, { ...INCIDENT, groupKey: 'new', updatedAt: T0 + 100 }], deliveries: [], digestItems: [] }, T0);
      const [sent, pending] = await alerts.deliveries.enqueue([delivery('a'), delivery('b')], T0);
      await alerts.deliveries.markSent(sent!, T0, 1);
      await alerts.evaluation.prune(T0 + 50);
      await alerts.deliveries.prune(T0 + 50);
      assert.equal(await alerts.evaluation.incident('r1', 'g'), undefined);
      assert.ok(await alerts.evaluation.incident('r1', 'new'));
      assert.equal(await alerts.deliveries.getDelivery(sent!), undefined);
      assert.equal((await alerts.deliveries.getDelivery(pending!))?.status, 'pending');
    });

    withStore('forgets erased findings: incidents grouped on them, digest items, deliveries only about them, and their lines in digests', async (alerts) => {
      const other: AlertFinding = { ...FINDING, id: 'f2', actor: '198.51.100.2' };
      const key = { accountId: FINDING.accountId, region: FINDING.region, id: FINDING.id };
      const otherKey = { ...key, id: 'f2' };
      const digest: NewDelivery = {
        rule: 'r2',
        destination: 'd',
        kind: 'digest',
        about: [key, otherKey],
        message: { kind: 'digest', rule: { id: 'r2', name: 'daily' }, findings: [FINDING, other], total: 2 },
        arrivedAt: T0,
      };
      await alerts.evaluation.commitEvaluation(
        {
          cursor: 1,
          incidents: [
            { ...INCIDENT, groupKey: '111122223333/us-east-1/f1' },
            { ...INCIDENT, groupKey: 'resource:111122223333/Instance i-1' },
            { ...INCIDENT, groupKey: '111122223333/us-east-1/f2' },
          ],
          deliveries: [delivery('alone'), digest],
          digestItems: [
            { rule: 'r3', finding: FINDING, at: T0 },
            { rule: 'r3', finding: other, at: T0 },
          ],
        },
        T0,
      );
      const counts = await alerts.evaluation.forgetFindings([key], ['111122223333/us-east-1/f1', 'resource:111122223333/Instance i-1']);
      assert.deepEqual(counts, { incidents: 2, deliveries: 2, digestItems: 1 });
      assert.equal(await alerts.evaluation.incident('r1', '111122223333/us-east-1/f1'), undefined);
      assert.equal(await alerts.evaluation.incident('r1', 'resource:111122223333/Instance i-1'), undefined);
      assert.ok(await alerts.evaluation.incident('r1', '111122223333/us-east-1/f2'), 'another finding\'s incident stays');
      assert.deepEqual((await alerts.evaluation.digestItems('r3')).map((i) => i.finding.id), ['f2']);
      const left = await alerts.deliveries.listDeliveries({ limit: 10 });
      assert.deepEqual(left.map((d) => d.destination), ['d'], 'the delivery only about the finding is gone');
      assert.deepEqual(left[0]!.message.findings.map((f) => f.id), ['f2']);
      assert.equal(left[0]!.message.total, 1);
      assert.ok(!JSON.stringify(left).includes('"f1"'));
      assert.deepEqual(await alerts.evaluation.forgetFindings([key], []), { incidents: 0, deliveries: 0, digestItems: 0 }, 'forgetting again changes nothing');
    });
  });
}
