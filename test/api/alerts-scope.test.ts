// Two tenants and alerting: rules fire only on what their owner may read, and dry runs, the delivery log and the
// messages a real receiver gets leak nothing of the other tenant's accounts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';
import { httpReceiver, type HttpReceiver } from '../support/receivers.js';

const A1 = '111111111111';
const A2 = '222222222222';
const B1 = '333333333333';
const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';

/** Every Yagura action on findings of `accounts`, and on alerting's rules, destinations and deliveries. */
function tenantPolicy(accounts: readonly string[]): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'yagura:*', Resource: accounts.map((a) => `arn:aws:guardduty:*:${a}:detector/*/finding/*`) },
      { Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:yagura:alerts:::*' },
    ],
  };
}

interface Body {
  kind: string;
  rule: { id: string };
  findings: Array<{ accountId: string; id: string }>;
  total?: number;
}

describe('alerting with two tenants', () => {
  let folder: AlertsFolder;
  let h: AlertsHarness;
  let receiverA: HttpReceiver;
  let receiverB: HttpReceiver;
  let keyA: Record<string, string>;
  let keyB: Record<string, string>;
  let ruleA: string;
  let destA: string;

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
    h.app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = h.auth): Promise<any> => {
    const res = await call(method, url, headers, payload);
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? undefined : res.json();
  };
  const settle = async (): Promise<void> => {
    await h.alerts.settled();
    await new Promise((r) => setTimeout(r, 100));
    await h.alerts.settled();
  };
  const bodies = (r: HttpReceiver): Body[] => r.received.map((m) => JSON.parse(m.body) as Body);
  const finding = (id: string, accountId: string) => eventOf(findingDoc({ id, accountId, severity: 8 }));
  /** Every delivery a caller can page through, one per page, and the pages' cursors. */
  const walk = async (headers: Record<string, string>): Promise<{ ids: number[]; cursors: Array<number | null> }> => {
    const ids: number[] = [];
    const cursors: Array<number | null> = [];
    let before: number | null = null;
    do {
      const page: { deliveries: Array<{ id: number }>; nextBefore: number | null } = await ok('GET', `/api/v1/deliveries?size=1${before === null ? '' : `&before=${before}`}`, undefined, headers);
      ids.push(...page.deliveries.map((d) => d.id));
      cursors.push(page.nextBefore);
      before = page.nextBefore;
    } while (before !== null);
    return { ids, cursors };
  };

  before(async () => {
    [receiverA, receiverB] = await Promise.all([httpReceiver(), httpReceiver()]);
    folder = await alertsFolder();
    h = await folder.open();
    await ok('POST', '/api/v1/policies', { name: 'tenant-a', document: tenantPolicy([A1, A2]) });
    await ok('POST', '/api/v1/policies', { name: 'tenant-b', document: tenantPolicy([B1]) });
    await ok('POST', '/api/v1/roles', { name: 'tenant-a', policies: ['tenant-a'] });
    await ok('POST', '/api/v1/roles', { name: 'tenant-b', policies: ['tenant-b'] });
    keyA = { 'x-api-key': (await ok('POST', '/api/v1/keys', { name: 'a', role: 'tenant-a' })).key };
    keyB = { 'x-api-key': (await ok('POST', '/api/v1/keys', { name: 'b', role: 'tenant-b' })).key };
    destA = (await ok('POST', '/api/v1/destinations', { type: 'webhook', name: 'a', url: `${receiverA.url}/hook`, secret: 'a-webhook-secret-of-some-length' })).id;
    const destB = (await ok('POST', '/api/v1/destinations', { type: 'webhook', name: 'b', url: `${receiverB.url}/hook`, secret: 'a-webhook-secret-of-some-length' })).id;
    const rule = (dest: string) => ({ name: 'everything', query: '', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: dest }] });
    const created = await ok('POST', '/api/v1/alert-rules', rule(destA), keyA);
    assert.equal(created.owner, 'arn:yagura:iam:::role/tenant-a');
    assert.deepEqual(created.status, { state: 'active' });
    ruleA = created.id;
    assert.equal((await ok('POST', '/api/v1/alert-rules', rule(destB), keyB)).owner, 'arn:yagura:iam:::role/tenant-b');
  });
  after(async () => {
    await h.stop();
    await folder.remove();
    await Promise.all([receiverA.close(), receiverB.close()]);
  });

  test("a rule fires only on findings its owner may read, and the receiver gets only those", async () => {
    await h.ingest([finding('a1-one', A1), finding('a2-one', A2), finding('b1-one', B1)]);
    await settle();
    assert.deepEqual(bodies(receiverA).map((b) => b.findings.map((f) => f.id)).sort(), [['a1-one'], ['a2-one']]);
    assert.deepEqual(bodies(receiverB).map((b) => b.findings.map((f) => f.id)), [['b1-one']]);
    assert.doesNotMatch(receiverA.received.map((r) => r.body).join(), new RegExp(B1));
  });

  test("the delivery log, its pages and cursors, show a tenant only deliveries about its findings", async () => {
    const all = await walk(h.auth);
    assert.equal(all.ids.length, 3, 'the administrator sees every delivery');
    const a = await walk(keyA);
    const b = await walk(keyB);
    assert.equal(a.ids.length, 2);
    assert.equal(b.ids.length, 1);
    const findingOf = async (id: number): Promise<string> => (await ok('GET', `/api/v1/deliveries/${id}`)).finding;
    assert.deepEqual((await Promise.all(a.ids.map(findingOf))).map((f) => f.split('/')[0]).sort(), [A1, A2]);
    // The cursors of A's pages point only at A's deliveries, and the page after them is empty and has none.
    assert.deepEqual(a.cursors, [...a.ids, null]);
    const list = await ok('GET', '/api/v1/deliveries?size=100', undefined, keyA);
    assert.equal(list.deliveries.length, 2);
    assert.equal(list.nextBefore, null);
    assert.doesNotMatch(JSON.stringify(list), new RegExp(B1));
  });

  test("another tenant's delivery is not found: read, retry and delete answer 404", async () => {
    const [bDelivery] = (await walk(keyB)).ids;
    for (const [method, url] of [
      ['GET', `/api/v1/deliveries/${bDelivery}`],
      ['POST', `/api/v1/deliveries/${bDelivery}/retry`],
      ['DELETE', `/api/v1/deliveries/${bDelivery}`],
    ] as const) {
      const res = await call(method, url, keyA);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error.code, 'DELIVERY_NOT_FOUND');
    }
    assert.equal((await ok('GET', `/api/v1/deliveries/${bDelivery}`, undefined, keyB)).finding.split('/')[0], B1, 'still there for its tenant');
    const [aDelivery] = (await walk(keyA)).ids;
    assert.equal((await call('DELETE', `/api/v1/deliveries/${aDelivery}`, keyA)).statusCode, 204, 'its own delivery can be removed');
  });

  test("sending another tenant's finding by hand answers 404, as for a finding that does not exist", async () => {
    const other = await call('POST', '/api/v1/deliveries', keyA, { destination: destA, finding: { accountId: B1, region: 'us-east-1', id: 'b1-one' } });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().error.code, 'FINDING_NOT_FOUND');
    const missing = await call('POST', '/api/v1/deliveries', keyA, { destination: destA, finding: { accountId: A1, region: 'us-east-1', id: 'nope' } });
    assert.deepEqual(Object.keys(other.json().error), Object.keys(missing.json().error));
    const own = await call('POST', '/api/v1/deliveries', keyA, { destination: destA, finding: { accountId: A1, region: 'us-east-1', id: 'a1-one' } });
    assert.equal(own.statusCode, 202, own.body);
    await settle();
  });

  test("a dry run lists only the caller's findings, for a new rule and for another owner's stored rule", async () => {
    const rule = { name: 'dry', query: '', minBand: 'Low', trigger: { kind: 'new' } };
    const fresh = await ok('POST', '/api/v1/alert-rules/dry-run', { rule, from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, keyA);
    assert.deepEqual(fresh.alerts.map((x: { finding: { id: string } }) => x.finding.id).sort(), ['a1-one', 'a2-one']);
    assert.equal(fresh.matched, 2);
    const stored = await ok('POST', `/api/v1/alert-rules/${ruleA}/dry-run?${RANGE}`, undefined, keyB);
    assert.deepEqual(stored.alerts.map((x: { finding: { id: string } }) => x.finding.id), ['b1-one']);
    assert.equal(stored.matched, 1);
  });

  test("after the owner's policy is narrowed, the next evaluation stops firing for the accounts it lost", async () => {
    const before = receiverA.received.length;
    await ok('PUT', '/api/v1/policies/tenant-a', { document: tenantPolicy([A1]) });
    await h.ingest([finding('a1-two', A1), finding('a2-two', A2)]);
    await settle();
    assert.deepEqual(bodies(receiverA).slice(before).map((b) => b.findings.map((f) => f.id)), [['a1-two']]);
  });

  test('a digest drops the findings its owner may no longer read when it is cut', async () => {
    const digest = { name: 'digest', query: '', minBand: 'Low', trigger: { kind: 'digest', schedule: '0 0 1 1 *', timezone: 'UTC' }, routes: [{ destination: destA }] };
    await ok('PUT', '/api/v1/policies/tenant-a', { document: tenantPolicy([A1, A2]) });
    const id = (await ok('POST', '/api/v1/alert-rules', digest, keyA)).id;
    await h.ingest([finding('a1-three', A1), finding('a2-three', A2)]);
    await settle();
    await ok('PUT', '/api/v1/policies/tenant-a', { document: tenantPolicy([A1]) });
    const before = receiverA.received.length;
    // Cut it now: the items collected under the wider policy are sent under the narrower one.
    await ok('PUT', `/api/v1/alert-rules/${id}`, { ...digest, trigger: { kind: 'digest', schedule: '* * * * * *', timezone: 'UTC' } });
    await receiverA.waitFor(before + 1, 5000);
    await settle();
    await ok('DELETE', `/api/v1/alert-rules/${id}`);
    const sent = bodies(receiverA).slice(before).filter((b) => b.kind === 'digest');
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.findings.map((f) => f.id), ['a1-three']);
    assert.equal(sent[0]!.total, 1);
  });

  test('a rule whose owner is removed is suspended with the reason and sends nothing', async () => {
    await h.alerts.settled();
    await new Promise((r) => setTimeout(r, 300));
    const before = receiverA.received.length;
    await ok('DELETE', '/api/v1/roles/tenant-a');
    await h.ingest([finding('a1-four', A1)]);
    await settle();
    assert.equal(receiverA.received.length, before, 'nothing sent for a suspended rule');
    const rule = await ok('GET', `/api/v1/alert-rules/${ruleA}`);
    assert.equal(rule.owner, 'arn:yagura:iam:::role/tenant-a');
    assert.deepEqual(rule.status, { state: 'suspended', reason: "the rule's owner arn:yagura:iam:::role/tenant-a no longer exists" });
    const listed = (await ok('GET', '/api/v1/alert-rules')).rules.find((r: { id: string }) => r.id === ruleA);
    assert.equal(listed.status.state, 'suspended');
  });
});
