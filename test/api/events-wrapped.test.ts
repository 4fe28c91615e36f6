// POST /api/v1/events with what people forward instead of a plain event: SNS notifications, Security Hub
// findings, partial envelopes. Each is unwrapped and stored, ignored, or refused with a reason of its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { asffFinding, malwareScanEvent, partialEnvelope, securityHubEvent, snsLambdaEvent, snsNotification } from '../fixtures/wrappers.js';
import { harness, type Harness } from '../support/harness.js';

describe('POST /api/v1/events with wrapped documents', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  const post = (payload: unknown) =>
    h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json', ...h.auth }, payload: JSON.stringify(payload) });
  const stored = async (accountId: string, region: string, id: string) => {
    const res = await h.app.inject({ url: `/api/v1/findings/${accountId}/${region}/${id}`, headers: h.auth });
    return res.statusCode === 200 ? (res.json().finding as Record<string, unknown>) : undefined;
  };

  test('stores the GuardDuty finding of an EventBridge event inside an SNS Lambda event, verbatim', async () => {
    const doc = findingDoc({ id: 'sns-lambda' });
    const res = await post(snsLambdaEvent(eventOf(doc)));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, created: 1, updated: 0, ignored: 0, rejected: [] });
    assert.deepEqual(await stored('111122223333', 'us-east-1', 'sns-lambda'), doc);
  });

  test('stores the finding inside an SNS HTTP/SQS notification, event or bare finding alike', async () => {
    const res = await post([snsNotification(eventOf(findingDoc({ id: 'sns-http' }))), snsNotification(findingDoc({ id: 'sns-bare' }))]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().accepted, 2);
    assert.ok(await stored('111122223333', 'us-east-1', 'sns-http'));
    assert.ok(await stored('111122223333', 'us-east-1', 'sns-bare'));
  });

  test('counts a malware-scan result inside an SNS notification as ignored', async () => {
    const res = await post(snsLambdaEvent(malwareScanEvent()));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 0, duplicates: 0, created: 0, updated: 0, ignored: 1, rejected: [] });
  });

  test('says where a bad finding inside an SNS message is', async () => {
    const doc = findingDoc({ id: 'sns-no-date' });
    delete doc.updatedAt;
    const res = await post(snsLambdaEvent(eventOf(doc)));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'MISSING_FIELD');
    assert.equal(res.json().error.message, 'the finding has no "updatedAt" (in Records[0].Sns.Message → detail)');
  });

  test('refuses an SNS message that is not JSON, saying so, and stores nothing', async () => {
    const before = await h.embedded.store.count();
    const res = await post(snsNotification('A GuardDuty finding was raised'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_JSON');
    assert.match(res.json().error.message, /^the SNS message \(Message\) is not JSON: /);
    assert.equal(await h.embedded.store.count(), before);
  });

  test('checks an SNS message like any delivered item: prototype keys and depth', async () => {
    const proto = await post(snsLambdaEvent(`{"__proto__":{"polluted":true},${JSON.stringify(eventOf(findingDoc({ id: 'sns-proto' }))).slice(1)}`));
    assert.equal(proto.json().error.code, 'FORBIDDEN_KEY');
    assert.match(proto.json().error.message, /\(in Records\[0\]\.Sns\.Message\)$/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const deep = await post(snsNotification(`${'['.repeat(100)}${']'.repeat(100)}`));
    assert.equal(deep.json().error.code, 'NESTING_TOO_DEEP');
  });

  test('refuses a Security Hub (ASFF) finding by name and says what to send instead', async () => {
    for (const payload of [asffFinding(), securityHubEvent([asffFinding()]), { Findings: [asffFinding()] }, snsNotification(asffFinding())]) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, res.body);
      const { code, message } = res.json().error as { code: string; message: string };
      assert.equal(code, 'SECURITY_HUB_FINDING');
      assert.match(message, /Security Hub finding \(ASFF\), not a GuardDuty finding/);
      assert.match(message, /send GuardDuty's own EventBridge events \(detail-type "GuardDuty Finding"\) or its S3 export instead/);
    }
    const other = await post(asffFinding('Inspector'));
    assert.match(other.json().error.message, /from "Inspector"/);
  });

  test("takes the region and account of a partial envelope when the finding has none, and stores them in it", async () => {
    const doc = findingDoc({ id: 'partial' });
    delete doc.region;
    delete doc.accountId;
    const res = await post(partialEnvelope(doc, { region: 'eu-central-1', account: '444455556666' }));
    assert.equal(res.statusCode, 200, res.body);
    const got = await stored('444455556666', 'eu-central-1', 'partial');
    assert.ok(got);
    assert.equal(got.region, 'eu-central-1');
    assert.equal(got.accountId, '444455556666');
  });

  test("keeps the finding's own region and account when the envelope disagrees (a delegated administrator's bus)", async () => {
    const doc = findingDoc({ id: 'member', accountId: '777788889999', region: 'us-west-2' });
    const res = await post({ ...eventOf(doc), account: '111122223333', region: 'us-east-1' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await stored('777788889999', 'us-west-2', 'member'), doc);
  });

  test('still names the field when neither the finding nor the envelope has it', async () => {
    const doc = findingDoc({ id: 'partial-none' });
    delete doc.region;
    const res = await post({ detail: doc, 'detail-type': 'GuardDuty Finding' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.message, 'the finding has no "region" (in detail)');
  });
});
