// Searching, reading and aggregating findings over the HTTP API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

describe('GET /api/v1/findings and POST /api/v1/aggregate', () => {
  let h: Harness;
  const base = Date.parse('2026-11-20T00:00:00Z');
  /** The server's clock: derived times are exact, however long the requests take. */
  const now = Date.parse('2026-12-01T00:00:00Z');
  before(async () => {
    h = await harness({}, { now: () => now });
    const docs = [];
    for (let i = 0; i < 120; i++) {
      docs.push(findingDoc({
        id: `s${String(i).padStart(3, '0')}`,
        accountId: i % 3 === 0 ? '333333333333' : '111111111111',
        severity: [2, 5, 7.5, 9.2][i % 4]!,
        type: i % 2 ? 'UnauthorizedAccess:EC2/SSHBruteForce' : 'Recon:EC2/PortProbeUnprotectedPort',
        updatedAt: new Date(base + i * 60_000).toISOString(),
        createdAt: new Date(base).toISOString(),
        ip: i % 5 === 0 ? '203.0.113.66' : '198.51.100.7',
      }));
    }
    // An update of s000: two versions in history.
    docs.push(findingDoc({ id: 's000', accountId: '333333333333', severity: 2, type: 'Recon:EC2/PortProbeUnprotectedPort', count: 7, createdAt: new Date(base).toISOString(), updatedAt: new Date(base + 500 * 60_000).toISOString(), ip: '203.0.113.66' }));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify(docs) });
    assert.equal(res.json().accepted, 121);
  });
  after(async () => h.close());

  const get = (url: string) => h.app.inject({ url, headers: h.auth });

  test('searches with KQL and pages with a cursor through every match once', async () => {
    const q = encodeURIComponent('severity >= 7 and type:UnauthorizedAccess*');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/findings?q=${q}&size=25${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.total, 30);
      for (const f of body.findings) {
        assert.ok(f.finding.severity >= 7);
        assert.ok(['High', 'Critical'].includes(f.yagura.band));
        ids.push(f.yagura.id);
      }
      cursor = body.nextCursor;
    } while (cursor);
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
  });

  test('applies the time range, both ends inclusive as in Kibana, and the sort', async () => {
    const from = new Date(base + 10 * 60_000).toISOString();
    const to = new Date(base + 20 * 60_000).toISOString();
    const res = await get(`/api/v1/findings?from=${from}&to=${to}&sort=severity:asc&size=100`);
    const body = res.json();
    assert.equal(body.total, 11);
    const sev = body.findings.map((f: { finding: { severity: number } }) => f.finding.severity);
    assert.deepEqual(sev, [...sev].sort((a: number, b: number) => a - b));
  });

  test('finds bare words as free text over titles, resources and IPs', async () => {
    const res = await get(`/api/v1/findings?q=${encodeURIComponent('203.0.113.66')}&size=100`);
    assert.equal(res.json().total, 24);
  });

  test('opens one finding with its derived fields and its whole history, oldest first', async () => {
    const res = await get('/api/v1/findings/333333333333/us-east-1/s000');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.finding.service.count, 7);
    assert.equal(body.yagura.versions, 2);
    assert.equal(body.yagura.band, 'Low');
    assert.deepEqual(body.history.map((v: { count: number }) => v.count), [1, 7]);
  });

  test('answers a search with each finding as opening it shows it: the same document and derived fields', async () => {
    const res = await get('/api/v1/findings?q=*&size=100');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/);
    const page = res.json();
    assert.equal(page.findings.length, 100);
    for (const listed of page.findings) {
      const { accountId, region, id } = listed.yagura;
      const opened = (await get(`/api/v1/findings/${accountId}/${region}/${id}`)).json();
      assert.deepEqual(listed.finding, opened.finding);
      const { timeOpenSeconds, ...derived } = listed.yagura;
      const { timeOpenSeconds: openedSeconds, ...openedDerived } = opened.yagura;
      assert.deepEqual(derived, openedDerived);
      // Both run from the document's createdAt until the server's now.
      assert.equal(timeOpenSeconds, (now - base) / 1000);
      assert.equal(openedSeconds, (now - base) / 1000);
    }
  });

  test('answers 404 with a code for a finding it does not have', async () => {
    const res = await get('/api/v1/findings/333333333333/us-east-1/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'FINDING_NOT_FOUND');
  });

  test('rejects invalid KQL naming the position, unknown sorts, bad times and tampered cursors', async () => {
    const bad = await get(`/api/v1/findings?q=${encodeURIComponent('severity >= and type:x')}`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_QUERY');
    assert.match(bad.json().error.message, /position \d+/);
    const sort = await get('/api/v1/findings?sort=doc;DROP');
    assert.equal(sort.json().error.code, 'INVALID_SORT');
    const time = await get('/api/v1/findings?from=last-tuesday');
    assert.equal(time.statusCode, 400);
    assert.equal(time.json().error.code, 'INVALID_TIME');
    const first = (await get('/api/v1/findings?size=5')).json();
    const [body, sig] = (first.nextCursor as string).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), p: { value: 0, key: { accountId: 'x', region: 'y', id: 'z' } } })).toString('base64url');
    for (const cursor of [`${forged}.${sig}`, 'garbage', `${body}.AAAA`]) {
      const res = await get(`/api/v1/findings?size=5&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'INVALID_CURSOR');
    }
    const otherQuery = await get(`/api/v1/findings?size=5&q=severity>1&cursor=${encodeURIComponent(first.nextCursor)}`);
    assert.equal(otherQuery.json().error.code, 'INVALID_CURSOR');
    const unknown = await get('/api/v1/findings?colour=red');
    assert.equal(unknown.json().error.code, 'INVALID_PARAMETER');
  });

  test('aggregates a date histogram split by severity band, terms and stats', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/aggregate',
      headers: { ...h.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({
        q: 'accountId:111111111111',
        from: new Date(base).toISOString(),
        to: new Date(base + 2 * 3_600_000 - 1).toISOString(),
        aggs: {
          bands: { terms: { field: 'band' }, aggs: { hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } } } },
          accounts: { terms: { field: 'accountId' } },
          severity: { stats: { field: 'severity' } },
          ips: { terms: { field: 'remoteIp' } },
        },
      }),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.total, 80);
    assert.deepEqual(body.aggregations.accounts.buckets, [{ key: '111111111111', doc_count: 80 }]);
    assert.equal(body.aggregations.bands.buckets.length, 4);
    for (const b of body.aggregations.bands.buckets) {
      assert.equal(b.hourly.buckets.length, 2);
      assert.equal(b.hourly.buckets[0].doc_count + b.hourly.buckets[1].doc_count, b.doc_count);
    }
    assert.equal(body.aggregations.severity.count, 80);
  });

  test('rejects an aggregation on a field it cannot group and a malformed aggregation body', async () => {
    const post = (payload: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/aggregate', headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    const field = await post({ aggs: { x: { terms: { field: 'doc); DROP TABLE findings; --' } } } });
    assert.equal(field.statusCode, 400);
    assert.equal(field.json().error.code, 'INVALID_AGGREGATION');
    const shape = await post({ aggs: { x: { histogram: { field: 'severity' } } } });
    assert.equal(shape.json().error.code, 'INVALID_PARAMETER');
    const interval = await post({ aggs: { x: { date_histogram: { field: 'updatedAt', interval: '1s' } } } });
    assert.equal(interval.json().error.code, 'INVALID_AGGREGATION');
    assert.equal(await h.embedded.store.count(), 120);
  });
});
