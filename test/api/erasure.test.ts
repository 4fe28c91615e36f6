// Erasure through the API on a real data folder (SQLite file and local archive): after an erasure no byte of any
// file holds the erased findings' id, IP or user name, no answer shows them, the other findings are as they were,
// the receipt is in the audit log, and an account erased as a whole is not stored again.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { NewDelivery } from '../../src/alerts/delivery-log.js';
import type { AlertFinding } from '../../src/alerts/message.js';
import { keyDigest } from '../../src/findings/key-digest.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { filesHolding } from '../support/data-bytes.js';
import { harness, type Harness } from '../support/harness.js';

const VICTIM = { accountId: '111122223333', region: 'us-east-1', id: 'victim-7d3e1a9b' };
const SECRETS = ['victim-7d3e1a9b', '203.0.113.199', 'hortense-vannier'];

function victimDoc(version: number): Record<string, unknown> {
  const doc = findingDoc({
    id: VICTIM.id,
    ip: version === 3 ? '203.0.113.199' : `203.0.113.19${version}`,
    count: version,
    updatedAt: `2026-11-2${version}T08:00:00.000Z`,
    title: `Access key of hortense-vannier used from a Tor exit (v${version})`,
  });
  return { ...doc, resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'hortense-vannier', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', principalId: 'AIDAEXAMPLEHORTENSE' } } };
}

function alertFinding(id: string, actor: string): AlertFinding {
  return { accountId: VICTIM.accountId, region: VICTIM.region, id, type: 'UnauthorizedAccess:EC2/TorClient', title: `t ${id}`, severity: 8, band: 'High', resource: id === VICTIM.id ? 'AccessKey hortense-vannier' : 'Instance i-1', actor, count: 1, updatedAt: '2026-11-23T08:00:00.000Z' };
}

describe('erasures', () => {
  let h: Harness;
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = h.auth): Promise<{ status: number; body: any; text: string }> => {
    const res = await h.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), text: res.body };
  };
  const ingest = async (docs: Record<string, unknown>[], headers?: Record<string, string>): Promise<{ status: number; body: any }> => inject('POST', '/api/v1/events', docs.map((d) => eventOf(d)), headers);
  const finished = async (id: string, headers?: Record<string, string>): Promise<any> => {
    for (let i = 0; i < 600; i++) {
      const job = await inject('GET', `/api/v1/erasures/${id}`, undefined, headers);
      assert.equal(job.status, 200, job.text);
      if (job.body.status !== 'running') return job.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`erasure ${id} did not finish`);
  };
  const admin = async (method: 'POST', path: string, payload: unknown): Promise<Record<string, any>> => {
    const res = await inject(method, path, payload);
    assert.ok(res.status < 300, `${method} ${path}: ${res.text}`);
    return res.body as Record<string, any>;
  };
  const keyFor = async (name: string, document: unknown): Promise<Record<string, string>> => {
    await admin('POST', '/api/v1/policies', { name, document });
    await admin('POST', '/api/v1/roles', { name, policies: [name] });
    const created = await admin('POST', '/api/v1/keys', { name, role: name });
    return { 'x-api-key': created.key as string };
  };

  before(async () => {
    h = await harness({}, { erasures: true, alerts: true });
  });
  after(async () => h.close());

  test('erases a finding by query everywhere it lives and leaves every other finding as it was', { timeout: 120_000 }, async () => {
    const others = Array.from({ length: 40 }, (_, i) => findingDoc({ id: `other-${i}`, ip: `198.51.100.${i}` }));
    assert.equal((await ingest(others.slice(0, 20))).status, 200);
    assert.equal((await ingest([victimDoc(1)])).status, 200);
    assert.equal((await ingest([victimDoc(2), ...others.slice(20, 30)])).status, 200);
    // Written to the archive, then one more version left in the outbox.
    await h.embedded.archiver.sealAll();
    assert.equal((await ingest([victimDoc(3), ...others.slice(30)])).status, 200);
    // Alerting quoted it: incidents on it and its resource, an alert, a digest with another finding, collected digest items.
    const about = [VICTIM];
    const alert: NewDelivery = { rule: 'r1', destination: 'siem', kind: 'new', finding: `${VICTIM.accountId}/${VICTIM.region}/${VICTIM.id}`, about, message: { kind: 'new', rule: { id: 'r1', name: 'tor' }, findings: [alertFinding(VICTIM.id, '203.0.113.199')] }, arrivedAt: Date.now() };
    const digest: NewDelivery = { rule: 'r2', destination: 'mail', kind: 'digest', about: [VICTIM, { ...VICTIM, id: 'other-1' }], message: { kind: 'digest', rule: { id: 'r2', name: 'daily' }, findings: [alertFinding(VICTIM.id, '203.0.113.199'), alertFinding('other-1', '198.51.100.1')], total: 2 }, arrivedAt: Date.now() };
    const incident = { rule: 'r1', openedAt: 1, lastAlertAt: 1, band: 'High' as const, count: 1, updates: 1, alerts: 1, updatedAt: Date.now() };
    await h.embedded.backend.alerts.evaluation.commitEvaluation(
      {
        cursor: await h.embedded.backend.alerts.evaluation.cursor(),
        incidents: [{ ...incident, groupKey: `${VICTIM.accountId}/${VICTIM.region}/${VICTIM.id}` }, { ...incident, groupKey: `resource:${VICTIM.accountId}/AccessKey hortense-vannier` }],
        deliveries: [alert, digest],
        digestItems: [{ rule: 'r3', finding: alertFinding(VICTIM.id, '203.0.113.199'), at: Date.now() }],
      },
      Date.now(),
    );
    const otherKeys = others.map((d) => ({ accountId: d.accountId as string, region: d.region as string, id: d.id as string }));
    const before = await Promise.all(otherKeys.map((k) => h.embedded.store.get(k)));
    const total = await h.embedded.store.count();

    const started = await inject('POST', '/api/v1/erasures', { query: 'resource.accessKeyDetails.userName:"hortense-vannier"', reason: 'data subject request DSR-2026-118' });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.body.status, 'running');
    assert.match(started.body.id, /^er-/);
    const job = await finished(started.body.id);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.findings, 1);
    assert.equal(job.counts.findings, 1);
    assert.equal(job.counts.versions, 3);
    assert.equal(job.counts.incidents, 2);
    assert.equal(job.counts.deliveries, 2);
    assert.equal(job.counts.digestItems, 1);
    assert.equal(job.counts.archiveObjectsRewritten + job.counts.archiveObjectsDeleted, 1, 'the one written object that held it');
    assert.equal(job.counts.archiveLines, 2, 'its two archived versions');
    const expected = createHash('sha256').update(keyDigest(VICTIM)).digest('hex');
    assert.equal(job.receipt.keysDigest, expected, 'the receipt digest is recomputable from the key');
    // What the outbox still holds reaches the archive without it.
    await h.embedded.archiver.sealAll();
    await h.embedded.backend.audit.flush();
    // A server rebuilds the database file at its next start (the crash test restarts one); here it is done in place.
    await h.embedded.store.scrub({ compact: true });

    assert.deepEqual(await filesHolding(h.dir, SECRETS), [], 'no file under the data folder holds the id, the IP or the user name');

    assert.equal(await h.embedded.store.count(), total - 1);
    assert.deepEqual(await Promise.all(otherKeys.map((k) => h.embedded.store.get(k))), before, 'other findings: documents and history as before');
    const answers = [
      await inject('GET', `/api/v1/findings/${VICTIM.accountId}/${VICTIM.region}/${VICTIM.id}`),
      await inject('GET', '/api/v1/findings?q=hortense&size=100'),
      await inject('GET', '/api/v1/findings?size=500'),
      await inject('POST', '/api/v1/aggregate', { aggs: { ips: { terms: { field: 'remoteIp', size: 1000 } }, ids: { terms: { field: 'id', size: 1000 } } } }),
      await inject('GET', '/api/v1/deliveries?size=100'),
    ];
    assert.equal(answers[0]!.status, 404);
    assert.equal(answers[1]!.body.total, 0);
    assert.equal(answers[2]!.body.total, 40);
    // The 404 names the key it was asked for; every other answer is checked for all three.
    for (const a of answers.slice(1)) for (const s of SECRETS) assert.ok(!a.text.includes(s), `${s} in ${a.text.slice(0, 200)}`);
    assert.ok(answers[4]!.text.includes('other-1'), `the digest still lists the other finding: ${answers[4]!.text.slice(0, 300)}`);

    const audit = await inject('GET', `/api/v1/audit?q=${encodeURIComponent('action:"yagura:EraseFindings"')}&size=10`);
    assert.equal(audit.status, 200, audit.text);
    const receipt = audit.body.entries.find((e: { method: string }) => e.method === 'JOB');
    assert.ok(receipt, audit.text);
    const said = JSON.parse(receipt.reason);
    assert.equal(said.why, 'data subject request DSR-2026-118');
    assert.equal(said.keysDigest, expected);
    assert.equal(said.counts.versions, 3);
    const asked = audit.body.entries.find((e: { method: string }) => e.method === 'POST');
    assert.match(asked.reason, /DSR-2026-118/);
    for (const s of SECRETS) assert.ok(!audit.text.includes(s));
  });

  test('erases a whole account, archive objects included, and refuses its findings when GuardDuty sends them again', { timeout: 60_000 }, async () => {
    const account = '444455556666';
    assert.equal((await ingest([findingDoc({ id: 'acct-1', accountId: account }), findingDoc({ id: 'acct-2', accountId: account }), findingDoc({ id: 'stays', accountId: '777788889999' })])).status, 200);
    await h.embedded.archiver.sealAll();
    const objects = async (acct: string): Promise<number> => {
      let n = 0;
      for await (const _ of h.embedded.archive.objectsOf(acct)) n++;
      return n;
    };
    assert.ok((await objects(account)) > 0);
    const started = await inject('POST', '/api/v1/erasures', { accountId: account, reason: 'end of processing for this customer' });
    assert.equal(started.status, 202, started.text);
    const job = await finished(started.body.id);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.counts.findings, 2);
    assert.equal(await objects(account), 0, 'every archive object of the account is gone');
    assert.ok((await objects('777788889999')) > 0);
    const again = await ingest([findingDoc({ id: 'acct-1', accountId: account })]);
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'ACCOUNT_ERASED');
    const mixed = await ingest([findingDoc({ id: 'acct-3', accountId: account }), findingDoc({ id: 'stays-2', accountId: '777788889999' })]);
    assert.equal(mixed.status, 200);
    assert.deepEqual(mixed.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code]), [[0, 'ACCOUNT_ERASED']]);
    assert.equal((await inject('GET', `/api/v1/findings?q=accountId:${account}`)).body.total, 0);
  });

  test('a principal allowed to erase one account erases only there, never learns of the others, and may not erase another account whole', { timeout: 60_000 }, async () => {
    assert.equal((await ingest([findingDoc({ id: 'scoped-a', accountId: '121212121212', ip: '192.0.2.77' }), findingDoc({ id: 'scoped-b', accountId: '343434343434', ip: '192.0.2.77' })])).status, 200);
    const headers = await keyFor('erase-one-account', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'yagura:EraseFindings', Resource: 'arn:aws:guardduty:*:121212121212:detector/*/finding/*' }],
    });
    const started = await inject('POST', '/api/v1/erasures', { query: 'remoteIp:"192.0.2.77"', reason: 'request' }, headers);
    assert.equal(started.status, 202, started.text);
    const job = await finished(started.body.id, headers);
    assert.equal(job.counts.findings, 1, 'the finding of the other account is not counted');
    assert.equal((await inject('GET', '/api/v1/findings/121212121212/us-east-1/scoped-a')).status, 404);
    assert.equal((await inject('GET', '/api/v1/findings/343434343434/us-east-1/scoped-b')).status, 200, 'outside the scope: untouched');
    const whole = await inject('POST', '/api/v1/erasures', { accountId: '343434343434', reason: 'r' }, headers);
    assert.equal(whole.status, 403);
    assert.equal(whole.body.error.code, 'ACCESS_DENIED');
    const own = await inject('POST', '/api/v1/erasures', { accountId: '121212121212', reason: 'r' }, headers);
    assert.equal(own.status, 202, own.text);
    await finished(own.body.id, headers);
    // An administrator's erasure is not the restricted principal's to read: the same 404 as an unknown id.
    const adminJob = await inject('POST', '/api/v1/erasures', { query: 'id:nothing-matches', reason: 'r' });
    await finished(adminJob.body.id);
    const hidden = await inject('GET', `/api/v1/erasures/${adminJob.body.id}`, undefined, headers);
    const unknown = await inject('GET', '/api/v1/erasures/er-00000000-0000-0000-0000-000000000000', undefined, headers);
    assert.equal(hidden.status, 404);
    assert.deepEqual({ ...hidden.body, error: { ...hidden.body.error, message: '' } }, { ...unknown.body, error: { ...unknown.body.error, message: '' } });
  });

  test('refuses a request without a reason, with an invalid query, or with both a query and an account', async () => {
    for (const payload of [{ query: 'id:x' }, { query: 'id:(', reason: 'r' }, { query: 'id:x', accountId: '111122223333', reason: 'r' }, { accountId: '../etc', reason: 'r' }]) {
      const res = await inject('POST', '/api/v1/erasures', payload);
      assert.equal(res.status, 400, `${JSON.stringify(payload)}: ${res.text}`);
      assert.equal(typeof res.body.error.code, 'string');
    }
  });
});
