// Yagura protects itself: rate-based rules, metrics for operators, secure listener defaults, slow clients cut off.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createKey } from '../../src/auth/api-keys.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { checkListenAddress, ListenPolicyError } from '../../src/protection/listen-policy.js';
import { RateRules } from '../../src/protection/rate-rules.js';
import { findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

describe('rate-based rules and metrics over HTTP', () => {
  let h: Harness;
  before(async () => {
    const rules = new RateRules({ windowSeconds: 300, limits: { ingest: 5, read: 8, login: 3 }, allowCidrs: ['192.0.2.0/24'], maxTrackedSources: 1000 });
    h = await harness({}, { metrics: new Metrics(false), rateRules: { rules, windowSeconds: 300 } });
  });
  after(async () => h.close());

  const ingest = (remoteAddress: string, id: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/events', remoteAddress, headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify(findingDoc({ id })) });

  test('refuses a source over its ingest limit with 429 and Retry-After, and other sources go on', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await ingest('198.51.100.10', `r${i}`)).statusCode, 200);
    const refused = await ingest('198.51.100.10', 'r5');
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(await h.embedded.store.get({ accountId: '111122223333', region: 'us-east-1', id: 'r5' }), undefined);
    // Another address with another key is not affected (the first key has used up its own limit too).
    const other = 'ygr_other_key_0123456789abcdefghijkl';
    await createKey(h.embedded.backend.principals, 'other', other, Date.now());
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', remoteAddress: '198.51.100.11', headers: { 'x-api-key': other, 'content-type': 'application/json' }, payload: JSON.stringify(findingDoc({ id: 'other' })) });
    assert.equal(res.statusCode, 200);
  });

  test('counts unauthenticated requests by address, so guessing keys is limited too', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await h.app.inject({ url: '/api/v1/findings', remoteAddress: '203.0.113.50', headers: { 'x-api-key': `ygr_guess_${i}_padpadpadpad` } });
      codes.push(res.statusCode);
    }
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
  });

  test('never limits allow-listed sources', async () => {
    for (let i = 0; i < 12; i++) assert.equal((await h.app.inject({ url: '/api/v1/findings', remoteAddress: '192.0.2.7', headers: h.auth })).statusCode, 200);
  });

  test('limits each credential across addresses', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await h.app.inject({ url: '/api/v1/findings?size=1', remoteAddress: `198.51.100.${100 + i}`, headers: h.auth })).statusCode);
    assert.ok(codes.includes(429), codes.join());
  });

  test('shows the current blocks to administrators', async () => {
    const res = await h.app.inject({ url: '/api/v1/rate-limits/blocks', remoteAddress: '192.0.2.7', headers: h.auth });
    assert.equal(res.statusCode, 200);
    const sources = res.json().blocks.map((b: { scope: string; source: string }) => `${b.scope} ${b.source}`);
    assert.ok(sources.includes('ingest ip:198.51.100.10'), sources.join());
    assert.ok(sources.includes('read ip:203.0.113.50'));
  });

  test('serves Prometheus metrics to loopback without a key, and to others only with one', async () => {
    const local = await h.app.inject({ url: '/metrics' });
    assert.equal(local.statusCode, 200);
    assert.match(local.headers['content-type'] as string, /text\/plain/);
    assert.match(local.body, /yagura_findings_stored_total\{outcome="created"\} \d+/);
    assert.match(local.body, /yagura_findings_received_total\{source="http"\} \d+/);
    assert.match(local.body, /yagura_rate_limit_refusals_total\{scope="ingest"\} [1-9]/);
    assert.match(local.body, /yagura_ingest_latency_seconds_bucket/);
    const remote = await h.app.inject({ url: '/metrics', remoteAddress: '198.51.100.200' });
    assert.equal(remote.statusCode, 401);
    const withKey = await h.app.inject({ url: '/metrics', remoteAddress: '198.51.100.201', headers: h.auth });
    assert.equal(withKey.statusCode, 200);
  });
});

describe('listener defaults', () => {
  test('refuses plain HTTP on a reachable address unless TLS or --insecure-http is configured', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.doesNotThrow(() => checkListenAddress(host, false, false), host);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'yagura.example.com']) {
      assert.throws(() => checkListenAddress(host, false, false), (e: unknown) => e instanceof ListenPolicyError && /--insecure-http/.test(e.message), host);
      assert.doesNotThrow(() => checkListenAddress(host, true, false));
      assert.doesNotThrow(() => checkListenAddress(host, false, true));
    }
  });

  test('cuts off a client that never finishes its headers (slow loris)', async () => {
    const h = await harness({}, { server: { requestTimeoutSeconds: 2, keepAliveTimeoutSeconds: 1, maxHeaderBytes: 8192, maxEventLoopDelayMs: 1000 } });
    try {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      h.app.server.headersTimeout = 1000;
      const { port } = h.app.server.address() as { port: number };
      const started = Date.now();
      const closed = await new Promise<number>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '));
        const drip = setInterval(() => socket.write('a'), 200);
        socket.on('data', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(Date.now() - started);
        });
        socket.on('error', () => undefined);
      });
      assert.ok(closed < 5000, `connection held for ${closed} ms`);
    } finally {
      await h.close();
    }
  });
});
