// /api/v1/destinations, /api/v1/alert-rules and /api/v1/deliveries: validation, secrets, SSRF, test messages, dry runs.
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';
import { failingDns, standInDns } from '../support/stand-in-dns.js';

const PUBLIC: LookupAddress = { address: '198.51.100.7', family: 4 };
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };

/** The DNS the app sees: `rebind.test` answers a public address once, then loopback; `down.test` fails; the rest are public. */
function testDns(): { resolve: (hostname: string) => Promise<LookupAddress[]>; rebind: ReturnType<typeof standInDns> } {
  const rebind = standInDns(PUBLIC, LOOPBACK);
  const resolve = (hostname: string): Promise<LookupAddress[]> => (hostname === 'rebind.test' ? rebind(hostname) : hostname === 'down.test' ? failingDns(hostname) : Promise.resolve([PUBLIC]));
  return { resolve, rebind };
}

describe('alerting API', () => {
  let folder: AlertsFolder;
  let h: AlertsHarness;
  /** A TCP listener on loopback that counts the connections it is offered: a refused receiver must see none. */
  let listener: Server;
  let connections = 0;
  const dns = testDns();
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: h.auth, ...(payload !== undefined && { payload }) });

  before(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    folder = await alertsFolder();
    // Loopback receivers are refused here, as in production.
    h = await folder.open({ alerts: { allowPrivateNetworks: false }, resolve: dns.resolve });
  });
  after(async () => {
    listener.close();
    await h.stop();
    await folder.remove();
  });

  test('creates, lists, reads, replaces and deletes a destination without ever answering its secrets', async () => {
    const created = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'sec', url: 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN' });
    assert.equal(created.statusCode, 201);
    const d = created.json() as { id: string; url: string };
    assert.equal(d.url, 'https://hooks.slack.com/…/****');
    const hook = await call('POST', '/api/v1/destinations', { type: 'webhook', name: 'siem', url: 'https://siem.example.com/in?token=abc', secret: 'this-is-a-long-secret' });
    const mail = await call('POST', '/api/v1/destinations', { type: 'email', name: 'mail', host: 'smtp.example.com', username: 'u', password: 'hunter2hunter2', from: 'a@example.com', to: ['b@example.com'] });
    for (const res of [created, hook, mail, await call('GET', '/api/v1/destinations'), await call('GET', `/api/v1/destinations/${d.id}`)]) {
      for (const secret of ['SECRETTOKEN', 'this-is-a-long-secret', 'hunter2hunter2', 'token=abc']) assert.ok(!res.body.includes(secret), `${secret} leaked`);
    }
    assert.equal((mail.json() as { passwordSet: boolean; security: string; port: number }).passwordSet, true);

    // An update may leave the secret out to keep it.
    const renamed = await call('PUT', `/api/v1/destinations/${d.id}`, { type: 'slack', name: 'sec-prod' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal((renamed.json() as { name: string }).name, 'sec-prod');
    const stored = await h.alerts.alerts.destinations.getDestination(d.id);
    assert.equal(stored?.type === 'slack' && stored.url, 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN');

    assert.equal((await call('DELETE', `/api/v1/destinations/${d.id}`)).statusCode, 204);
    const gone = await call('GET', `/api/v1/destinations/${d.id}`);
    assert.equal(gone.statusCode, 404);
    assert.equal((gone.json() as { error: { code: string } }).error.code, 'DESTINATION_NOT_FOUND');
  });

  test('rejects malformed destinations with a clear error', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ type: 'slack', name: 'x', url: 'ftp://example.com' }, /url/],
      [{ type: 'webhook', name: 'x', url: 'https://example.com', secret: 'short' }, /secret/],
      [{ type: 'pager', name: 'x' }, /type/],
      [{ type: 'email', name: 'x', host: 'h', from: 'not an address', to: ['b@example.com'] }, /from/],
      [{ type: 'email', name: 'x', host: 'h', security: 'none', username: 'u', password: 'p', from: 'a@example.com', to: ['b@example.com'] }, /never sent without TLS/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/v1/destinations', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      const error = (res.json() as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'INVALID_PARAMETER');
      assert.match(error.message, message);
    }
  });

  const refusal = (host: string): string => `${host} resolves to ${host}, a loopback or private address; set alerts.allowPrivateNetworks to send there`;
  const errorOf = (res: { json(): unknown }): { code: string; message: string } => (res.json() as { error: { code: string; message: string } }).error;

  test('refuses a loopback, private or link-local receiver when it is saved, with the sentence a send gives (SSRF)', async () => {
    const port = (listener.address() as AddressInfo).port;
    const before = ((await call('GET', '/api/v1/destinations')).json() as { destinations: unknown[] }).destinations.length;
    const cases: Array<[object, string]> = [
      [{ type: 'webhook', name: 'inside', url: `http://127.0.0.1:${port}/hook`, secret: 'sixteen-characters!' }, '127.0.0.1'],
      [{ type: 'teams', name: 'x', url: 'http://10.1.2.3/' }, '10.1.2.3'],
      [{ type: 'teams', name: 'x', url: `http://[::1]:${port}/` }, '::1'],
      [{ type: 'slack', name: 'x', url: 'http://169.254.169.254/latest/meta-data' }, '169.254.169.254'],
      [{ type: 'email', name: 'x', host: '127.0.0.1', port, from: 'a@example.com', to: ['b@example.com'] }, '127.0.0.1'],
    ];
    for (const [body, host] of cases) {
      const res = await call('POST', '/api/v1/destinations', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(res).code, 'PRIVATE_ADDRESS');
      assert.equal(errorOf(res).message, refusal(host));
    }
    // A name whose answer is private is refused the same way.
    const named = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'x', url: `http://rebind.test:${port}/` });
    assert.equal(named.statusCode, 201, named.body);
    const pointed = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'x', url: `http://rebind.test:${port}/` });
    assert.equal(errorOf(pointed).code, 'PRIVATE_ADDRESS');
    assert.equal(errorOf(pointed).message, 'rebind.test resolves to 127.0.0.1, a loopback or private address; set alerts.allowPrivateNetworks to send there');
    assert.equal((await call('DELETE', `/api/v1/destinations/${(named.json() as { id: string }).id}`)).statusCode, 204);

    // An update cannot point a destination inside either, and leaves it as it was.
    const good = await call('POST', '/api/v1/destinations', { type: 'teams', name: 'outside', url: 'https://outlook.example.com/webhook/a' });
    const id = (good.json() as { id: string }).id;
    const moved = await call('PUT', `/api/v1/destinations/${id}`, { type: 'teams', name: 'outside', url: `http://127.0.0.1:${port}/` });
    assert.equal(moved.statusCode, 400);
    assert.equal(errorOf(moved).code, 'PRIVATE_ADDRESS');
    const kept = await h.alerts.alerts.destinations.getDestination(id);
    assert.equal(kept?.type === 'teams' && kept.url, 'https://outlook.example.com/webhook/a');
    assert.equal((await call('DELETE', `/api/v1/destinations/${id}`)).statusCode, 204);

    assert.equal(((await call('GET', '/api/v1/destinations')).json() as { destinations: unknown[] }).destinations.length, before);
    assert.equal(connections, 0);
  });

  test('refuses to send to a name whose DNS answer turned private after it was saved, before any connection', async () => {
    dns.rebind.asked = 0;
    const port = (listener.address() as AddressInfo).port;
    const created = await call('POST', '/api/v1/destinations', { type: 'webhook', name: 'rebound', url: `http://rebind.test:${port}/hook`, secret: 'sixteen-characters!' });
    assert.equal(created.statusCode, 201, created.body);
    const id = (created.json() as { id: string }).id;
    const res = await call('POST', `/api/v1/destinations/${id}/test`);
    assert.equal(res.statusCode, 200);
    const result = res.json() as { ok: boolean; error: string };
    assert.equal(result.ok, false);
    // The refusal comes from the connection's own lookup, which fails before a socket is opened.
    assert.equal(result.error, 'rebind.test resolves to 127.0.0.1, a loopback or private address; set alerts.allowPrivateNetworks to send there');
    assert.equal(dns.rebind.asked, 2);
    assert.equal(connections, 0);
    assert.equal((await call('DELETE', `/api/v1/destinations/${id}`)).statusCode, 204);
  });

  test('saves a destination whose name does not resolve yet, with a warning', async () => {
    const res = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'later', url: 'https://down.test/hook' });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { id: string; warnings: string[] };
    assert.deepEqual(body.warnings, ['cannot resolve down.test: ENOTFOUND; the destination was saved, and each send checks the address again']);
    assert.equal((await call('DELETE', `/api/v1/destinations/${body.id}`)).statusCode, 204);
  });

  test('creates, reads, replaces and deletes a rule, and validates query, schedule and routes', async () => {
    const dest = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'r', url: 'https://hooks.slack.com/services/a/b/c' });
    const destination = (dest.json() as { id: string }).id;
    const spec = { name: 'crypto', query: 'type:CryptoCurrency*', minBand: 'Medium', groupBy: 'type', trigger: { kind: 'count', threshold: 10 }, routes: [{ destination, accountTags: ['production'] }] };
    const created = await call('POST', '/api/v1/alert-rules', spec);
    assert.equal(created.statusCode, 201, created.body);
    const rule = created.json() as { id: string; enabled: boolean; throttleSeconds: number; includeSample: boolean };
    assert.deepEqual([rule.enabled, rule.throttleSeconds, rule.includeSample], [true, 3600, false]);
    assert.equal((await call('GET', `/api/v1/alert-rules/${rule.id}`)).statusCode, 200);
    const replaced = await call('PUT', `/api/v1/alert-rules/${rule.id}`, { ...spec, enabled: false });
    assert.equal((replaced.json() as { enabled: boolean }).enabled, false);
    assert.equal(((await call('GET', '/api/v1/alert-rules')).json() as { rules: unknown[] }).rules.length, 1);

    const inUse = await call('DELETE', `/api/v1/destinations/${destination}`);
    assert.equal(inUse.statusCode, 409);
    assert.equal((inUse.json() as { error: { code: string } }).error.code, 'DESTINATION_IN_USE');

    const bad: Array<[object, string]> = [
      [{ ...spec, query: 'severity >= ' }, 'INVALID_QUERY'],
      [{ ...spec, query: 'band:Severe' }, 'INVALID_QUERY'],
      [{ ...spec, trigger: { kind: 'digest', schedule: 'every day', timezone: 'UTC' } }, 'INVALID_RULE'],
      [{ ...spec, trigger: { kind: 'digest', schedule: '0 9 * * *', timezone: 'Mars/Olympus' } }, 'INVALID_RULE'],
      [{ ...spec, routes: [{ destination: 'dst_nope' }] }, 'INVALID_RULE'],
      [{ ...spec, routes: [] }, 'INVALID_PARAMETER'],
      [{ ...spec, trigger: { kind: 'count' } }, 'INVALID_PARAMETER'],
      [{ ...spec, surprise: 1 }, 'INVALID_PARAMETER'],
    ];
    for (const [body, code] of bad) {
      const res = await call('POST', '/api/v1/alert-rules', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal((res.json() as { error: { code: string } }).error.code, code, JSON.stringify(body));
    }
    assert.equal((await call('DELETE', `/api/v1/alert-rules/${rule.id}`)).statusCode, 204);
    assert.equal((await call('DELETE', `/api/v1/alert-rules/${rule.id}`)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/v1/destinations/${destination}`)).statusCode, 204);
  });

  test('a dry run lists the stored findings a rule would have alerted on in a time range, once per incident', async () => {
    await h.ingest([
      eventOf(findingDoc({ id: 'd1', severity: 8, updatedAt: '2026-11-20T08:00:00.000Z' })),
      eventOf(findingDoc({ id: 'd2', severity: 8.5, updatedAt: '2026-11-20T08:10:00.000Z' })),
      eventOf(findingDoc({ id: 'd3', severity: 9.1, updatedAt: '2026-11-20T08:20:00.000Z' })),
      eventOf(findingDoc({ id: 'd4', severity: 3, updatedAt: '2026-11-20T08:30:00.000Z' })),
      eventOf(findingDoc({ id: 'd5', severity: 8, updatedAt: '2026-11-22T08:00:00.000Z' })),
    ]);
    const res = await call('POST', '/api/v1/alert-rules/dry-run', {
      rule: { name: 'by type', minBand: 'High', groupBy: 'type', trigger: { kind: 'new' }, throttleSeconds: 3600 },
      from: '2026-11-20T00:00:00Z',
      to: '2026-11-21T00:00:00Z',
    });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json() as { matched: number; alerts: Array<{ kind: string; finding: { id: string } }>; truncated: boolean };
    assert.equal(result.matched, 3);
    // d1 opens the incident for the type; d2 is absorbed; d3 escalates to Critical.
    assert.deepEqual(result.alerts.map((a) => [a.kind, a.finding.id]), [['new', 'd1'], ['escalation', 'd3']]);
    assert.equal(result.truncated, false);
  });

  test('lists deliveries with filters and refuses unknown parameters', async () => {
    const res = await call('GET', '/api/v1/deliveries?status=dead');
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json() as { deliveries: unknown[] }).deliveries, []);
    assert.equal((await call('GET', '/api/v1/deliveries?status=lost')).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/deliveries/abc')).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/deliveries/12345')).statusCode, 404);
  });

  test('answers hostile bodies and identifiers with a coded 4xx and stores nothing', async () => {
    // A real destination: each rule body below is wrong for its own reason only.
    const dest = await call('POST', '/api/v1/destinations', { type: 'slack', name: 'hostile', url: 'https://hooks.slack.com/services/h/o/s' });
    const d = (dest.json() as { id: string }).id;
    const valid = { name: 'x', trigger: { kind: 'new' }, routes: [{ destination: d }] };
    const rulesBefore = ((await call('GET', '/api/v1/alert-rules')).json() as { rules: unknown[] }).rules.length;
    const bodies: Array<[string, string, string | Buffer, string, RegExp?]> = [
      ['POST', '/api/v1/alert-rules', `{"__proto__": {"enabled": true}, ${JSON.stringify(valid).slice(1)}`, 'INVALID_PARAMETER', /^unknown parameter "__proto__"$/],
      ['POST', '/api/v1/alert-rules', JSON.stringify({ ...valid, name: 'x'.repeat(10_000) }), 'INVALID_PARAMETER', /^"name": .*200 characters/],
      ['POST', '/api/v1/alert-rules', JSON.stringify({ ...valid, routes: Array.from({ length: 51 }, () => ({ destination: d })) }), 'INVALID_PARAMETER', /^"routes": .*50 items/],
      ['POST', '/api/v1/alert-rules', JSON.stringify({ ...valid, trigger: { kind: 'count', threshold: -1 } }), 'INVALID_PARAMETER', /^"trigger\.threshold": .*>=1/],
      ['POST', '/api/v1/alert-rules', '[]', 'INVALID_PARAMETER'],
      ['POST', '/api/v1/alert-rules', 'null', 'INVALID_PARAMETER'],
      ['POST', '/api/v1/destinations', JSON.stringify({ type: 'webhook', name: 'x', url: 'javascript:alert(1)', secret: 'sixteen-characters!' }), 'INVALID_PARAMETER', /url/],
      ['POST', '/api/v1/destinations', JSON.stringify({ type: 'email', name: 'x', host: 'h', from: 'a@example.com', to: ['b@example.com\r\nBcc: c@example.com'] }), 'INVALID_PARAMETER', /to/],
      ['PUT', '/api/v1/alert-rules/%00', '{}', 'RULE_NOT_FOUND'],
      ['POST', '/api/v1/alert-rules/dry-run', JSON.stringify({ rule: { name: 'x', trigger: { kind: 'new' } }, from: 'yesterday-ish' }), 'INVALID_TIME'],
    ];
    for (const [method, url, payload, code, message] of bodies) {
      const res = await h.app.inject({ method: method as 'POST', url, headers: { ...h.auth, 'content-type': 'application/json' }, payload });
      const what = `${method} ${url} ${String(payload).slice(0, 60)}`;
      assert.equal(res.statusCode, code === 'RULE_NOT_FOUND' ? 404 : 400, `${what} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      assert.equal(errorOf(res).code, code, `${what}: ${errorOf(res).message}`);
      if (message) assert.match(errorOf(res).message, message, what);
    }
    assert.equal(({} as Record<string, unknown>).enabled, undefined);
    assert.equal(((await call('GET', '/api/v1/alert-rules')).json() as { rules: unknown[] }).rules.length, rulesBefore);
    // The same body without its defect is accepted: the destination is what it should be.
    const control = await call('POST', '/api/v1/alert-rules', valid);
    assert.equal(control.statusCode, 201, control.body);
    assert.equal((await call('DELETE', `/api/v1/alert-rules/${(control.json() as { id: string }).id}`)).statusCode, 204);
    assert.equal((await call('DELETE', `/api/v1/destinations/${d}`)).statusCode, 204);
  });

  test('every alerting route needs an API key', async () => {
    for (const url of ['/api/v1/destinations', '/api/v1/alert-rules', '/api/v1/deliveries']) {
      const res = await h.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 401, url);
    }
  });
});
