// POST /api/v1/events: what EventBridge, scripts and attackers send, and what is stored for each.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

async function archivedLines(dir: string): Promise<Record<string, unknown>[]> {
  const root = path.join(dir, 'data', 'archive');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
  const lines: Record<string, unknown>[] = [];
  for (const f of files) {
    for (const line of gunzipSync(await readFile(path.join(root, f))).toString('utf8').split('\n')) {
      if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return lines;
}

describe('POST /api/v1/events', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ maxBodyBytes: 256 * 1024 });
  });
  after(async () => h.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'content-type': 'application/json', ...h.auth, ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  test('stores one EventBridge event durably before answering, and archives it in GuardDuty export layout when its object is sealed', async () => {
    const doc = findingDoc({ id: 'ev1', accountId: '210987654321', region: 'eu-west-1' });
    const res = await post(eventOf(doc));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, created: 1, updated: 0, ignored: 0, rejected: [] });
    assert.equal((await h.embedded.store.get({ accountId: '210987654321', region: 'eu-west-1', id: 'ev1' }))?.doc.id, 'ev1');
    const [open] = (await h.embedded.store.outbox.objects()).filter((o) => o.accountId === '210987654321');
    assert.equal(open?.lines, 1, 'its version waits in the open object of its partition');
    await h.embedded.archiver.sealAll();
    const root = path.join(h.dir, 'data', 'archive');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
    assert.ok(files.includes(`AWSLogs/210987654321/GuardDuty/eu-west-1/${open.day}/${open.name}.jsonl.gz`), files.join());
    assert.match(open.name, /^\d{8}T\d{6}Z-[0-9a-f-]{36}$/);
    assert.ok((await archivedLines(h.dir)).some((l) => l.id === 'ev1' && JSON.stringify(l) === JSON.stringify(doc)));
  });

  test('accepts the same event again as a duplicate and archives nothing more', async () => {
    const doc = findingDoc({ id: 'ev1', accountId: '210987654321', region: 'eu-west-1' });
    const before = (await archivedLines(h.dir)).length;
    const res = await post(eventOf(doc), { authorization: `Bearer ${h.key}`, 'x-api-key': '' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().duplicates, 1);
    assert.equal(res.json().accepted, 0);
    await h.embedded.archiver.sealAll();
    assert.equal((await archivedLines(h.dir)).length, before);
  });

  test('stores the good items of a batch and rejects the bad ones by index with a code', async () => {
    const res = await post([
      eventOf(findingDoc({ id: 'b1' })),
      { ...findingDoc({ id: 'b2' }), severity: 'HIGH' },
      findingDoc({ id: 'b3' }),
      42,
      eventOf(findingDoc({ id: 'b5' }), 'AWS API Call via CloudTrail'),
      { findings: [findingDoc({ id: 'b6' }), findingDoc({ id: 'b7' })] },
    ]);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 4);
    assert.equal(body.ignored, 1);
    assert.deepEqual(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'INVALID_FIELD'], [3, 'NOT_AN_OBJECT']]);
    assert.match(body.rejected[0].message, /severity/);
  });

  test('takes NDJSON and rejects only the malformed line', async () => {
    const payload = `${JSON.stringify(findingDoc({ id: 'n1' }))}\n{"id": oops\n${JSON.stringify(eventOf(findingDoc({ id: 'n2' })))}\n`;
    const res = await post(payload, { 'content-type': 'application/x-ndjson' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().accepted, 2);
    assert.deepEqual(res.json().rejected.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'INVALID_JSON']]);
  });

  test('accepts what GuardDuty and its exports really produce', async () => {
    const messy = findingDoc({ id: 'messy1', type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS' });
    messy.updatedAt = '2025-02-25 20:40:06.721';
    messy.createdAt = '2025-02-25 20:40:06.721';
    const service = messy.service as Record<string, unknown>;
    service.action = { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { protocol: '0', remoteIpDetails: null, localPortDetails: null } };
    (messy.resource as Record<string, unknown>).instanceDetails = { launchTime: 1.507656063e12, outpostArn: null };
    const res = await post(`[${JSON.stringify(messy).replace('1507656063000', '1.507656063E12')}]`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().accepted, 1);
    const got = await h.app.inject({ url: '/api/v1/findings/111122223333/us-east-1/messy1', headers: h.auth });
    assert.equal(got.json().finding.updatedAt, '2025-02-25 20:40:06.721');
  });
});

describe('POST /api/v1/events with bad input', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ maxBodyBytes: 64 * 1024, maxItemsPerRequest: 50 });
    await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify(findingDoc({ id: 'keep' })) });
  });
  after(async () => h.close());

  const missing = (field: string) => {
    const d = findingDoc({ id: `m-${field}` });
    delete d[field];
    return d;
  };
  const deep = (levels: number): unknown => {
    let v: unknown = 'x';
    for (let i = 0; i < levels; i++) v = { a: v };
    return { ...findingDoc({ id: 'deep' }), extra: v };
  };
  const cases: Array<{ name: string; payload: string; type?: string; status: number; code: string }> = [
    { name: 'malformed JSON', payload: '{"id": "x",', status: 400, code: 'INVALID_JSON' },
    { name: 'a wrong content type', payload: JSON.stringify(findingDoc()), type: 'text/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'an empty body', payload: '', status: 400, code: 'EMPTY_BODY' },
    { name: 'an empty array', payload: '[]', status: 400, code: 'EMPTY_BODY' },
    { name: 'a body over the limit', payload: JSON.stringify({ ...findingDoc({ id: 'big' }), pad: 'x'.repeat(70 * 1024) }), status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'more items than allowed', payload: JSON.stringify(Array.from({ length: 51 }, () => ({}))), status: 413, code: 'TOO_MANY_ITEMS' },
    { name: 'nesting deeper than the limit', payload: JSON.stringify(deep(200)), status: 400, code: 'NESTING_TOO_DEEP' },
    { name: 'a non-object item', payload: '"just a string"', status: 400, code: 'NOT_AN_OBJECT' },
    { name: 'a null item', payload: 'null', status: 400, code: 'NOT_AN_OBJECT' },
    ...['id', 'accountId', 'region', 'type', 'severity', 'updatedAt'].map((field) => ({ name: `a finding without ${field}`, payload: JSON.stringify(missing(field)), status: 400, code: 'MISSING_FIELD' })),
    { name: 'a severity that is not a number', payload: JSON.stringify({ ...findingDoc({ id: 's' }), severity: '8' }), status: 400, code: 'INVALID_FIELD' },
    { name: 'a severity out of range', payload: JSON.stringify({ ...findingDoc({ id: 's' }), severity: 1e300 }), status: 400, code: 'INVALID_FIELD' },
    { name: 'an updatedAt that is not a date', payload: JSON.stringify({ ...findingDoc({ id: 't' }), updatedAt: 'yesterday' }), status: 400, code: 'INVALID_FIELD' },
    { name: 'an updatedAt of the wrong type', payload: JSON.stringify({ ...findingDoc({ id: 't' }), updatedAt: true }), status: 400, code: 'INVALID_FIELD' },
    { name: 'an account id that would escape the archive folder', payload: JSON.stringify(findingDoc({ id: 'p', accountId: '../../etc' })), status: 400, code: 'INVALID_FIELD' },
    { name: 'a region with a path separator', payload: JSON.stringify(findingDoc({ id: 'p', region: 'us-east-1/../x' })), status: 400, code: 'INVALID_FIELD' },
    { name: 'a __proto__ key', payload: `{"__proto__":{"polluted":true},${JSON.stringify(findingDoc({ id: 'proto' })).slice(1)}`, status: 400, code: 'FORBIDDEN_KEY' },
    { name: 'a nested constructor.prototype', payload: JSON.stringify({ ...findingDoc({ id: 'ctor' }), service: { constructor: { prototype: { polluted: true } } } }), status: 400, code: 'FORBIDDEN_KEY' },
    { name: 'a __proto__ key in the envelope', payload: `{"__proto__":{"polluted":true},${JSON.stringify(eventOf(findingDoc({ id: 'env' }))).slice(1)}`, status: 400, code: 'FORBIDDEN_KEY' },
  ];

  for (const c of cases) {
    test(`rejects ${c.name} with ${c.status} ${c.code} and stores nothing`, async () => {
      const before = await h.embedded.store.count();
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...h.auth, 'content-type': c.type ?? 'application/json' }, payload: c.payload });
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json();
      assert.equal(body.error.code, c.code);
      assert.equal(typeof body.error.message, 'string');
      assert.ok(body.error.message.length > 10);
      assert.equal(await h.embedded.store.count(), before);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.ok(await h.embedded.store.get({ accountId: '111122223333', region: 'us-east-1', id: 'keep' }));
    });
  }

  test('answers 401 with a machine-readable code without an API key or with a wrong one', async () => {
    for (const headers of [{}, { 'x-api-key': 'ygr_wrongwrongwrongwrongwrong' }, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(findingDoc({ id: 'anon' })) });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'UNAUTHENTICATED');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="yagura"');
    }
    assert.equal(await h.embedded.store.get({ accountId: '111122223333', region: 'us-east-1', id: 'anon' }), undefined);
  });

  test('serves /health without authentication and with security headers', async () => {
    const res = await h.app.inject({ url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });
});
