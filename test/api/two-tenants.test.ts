// Two tenants on one Yagura: a principal restricted to the account group "alpha" calls every registered route, and
// nothing of group "beta" reaches it — not in bodies, totals, aggregations, errors, cursors or the stream — while
// the same call about beta's real objects and about objects that do not exist cannot be told apart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { routedApp, type RoutedApp } from '../support/registered-routes.js';

const ALPHA = ['111111111111', '111122223333'];
const BETA = '999988887777';
const REGION = 'eu-west-1';
/** Strings that exist only in beta's data: none may appear in anything alpha is answered. */
const BETA_MARKS = [BETA, 'beta-secret-finding', '203.0.113.199', 'BETA-ONLY-TITLE', 'beta-rule-name', 'beta-destination-name', 'beta-user', 'beta-role'];

/** A policy allowing every finding action on alpha's accounts, alerting on everything, and reading the catalog's alpha group. */
const ALPHA_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Findings', Effect: 'Allow', Action: 'yagura:*', Resource: ALPHA.map((a) => `arn:aws:guardduty:*:${a}:detector/*/finding/*`) },
    // Deliveries are scoped by their findings; rules by their owner: alpha lists rules and acts on its own.
    { Sid: 'Alerting', Effect: 'Allow', Action: ['yagura:ListAlertRules', 'yagura:*AlertDeliver*', 'yagura:SendAlert'], Resource: '*' },
    {
      Sid: 'OwnRules',
      Effect: 'Allow',
      Action: ['yagura:GetAlertRule', 'yagura:PutAlertRule', 'yagura:DeleteAlertRule', 'yagura:DryRunAlertRule'],
      Resource: 'arn:yagura:alerts:::rule/*',
      Condition: { StringEquals: { 'yagura:ResourceOwner': '${aws:PrincipalArn}' } },
    },
    { Sid: 'Catalog', Effect: 'Allow', Action: ['yagura:GetCatalog*'], Resource: ['arn:yagura:catalog:::catalog', 'arn:yagura:catalog:::group/alpha', 'arn:yagura:catalog:::account/alpha/*'] },
  ],
};

describe('two tenants: a principal restricted to one account group', () => {
  let r: RoutedApp;
  let alpha: Record<string, string>;
  const ids = { rule: '', destination: '', delivery: '' };

  const call = async (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    r.h.app.inject({ method: method.toUpperCase() as 'GET', url, headers: { ...headers, 'content-type': 'application/json' }, ...(payload !== undefined && { payload: JSON.stringify(payload) }) });
  const admin = async (method: string, url: string, payload?: unknown): Promise<Record<string, any>> => {
    const res = await call(method, url, r.h.auth, payload);
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.body === '' ? {} : (res.json() as Record<string, any>);
  };

  before(async () => {
    r = await routedApp();
    await r.h.ingest([
      ...ALPHA.map((accountId, i) => eventOf(findingDoc({ id: `alpha-${i}`, accountId, region: REGION, severity: 8 }))),
      eventOf(findingDoc({ id: 'beta-secret-finding', accountId: BETA, region: REGION, severity: 8, ip: '203.0.113.199', title: 'BETA-ONLY-TITLE' })),
    ]);
    await admin('PUT', '/api/v1/catalog/groups/alpha', { tags: { bu: 'alpha' } });
    await admin('PUT', '/api/v1/catalog/groups/beta', { tags: { bu: 'beta' } });
    for (const a of ALPHA) await admin('PUT', `/api/v1/catalog/accounts/${a}`, { group: 'alpha' });
    await admin('PUT', `/api/v1/catalog/accounts/${BETA}`, { group: 'beta', name: 'beta-account-name' });
    await admin('POST', '/api/v1/policies', { name: 'alpha-policy', document: ALPHA_POLICY });
    await admin('POST', '/api/v1/roles', { name: 'alpha-role', policies: ['alpha-policy'] });
    await admin('POST', '/api/v1/roles', { name: 'beta-role', policies: [] });
    await admin('POST', '/api/v1/users', { name: 'beta-user' });
    alpha = { 'x-api-key': (await admin('POST', '/api/v1/keys', { name: 'alpha', role: 'alpha-role' })).key as string };
    // Beta's alerting objects, made by an administrator: a destination, a rule and a delivery about beta's finding.
    ids.destination = (await admin('POST', '/api/v1/destinations', { type: 'webhook', name: 'beta-destination-name', url: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-of-some-length' })).id as string;
    ids.rule = (await admin('POST', '/api/v1/alert-rules', { name: 'beta-rule-name', query: `accountId:${BETA}`, minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: ids.destination }] })).id as string;
    ids.delivery = String((await admin('POST', '/api/v1/deliveries', { destination: ids.destination, finding: { accountId: BETA, region: REGION, id: 'beta-secret-finding' } })).id);
  });
  after(async () => r.close());

  const noBeta = (where: string, body: string): void => {
    for (const mark of BETA_MARKS) assert.ok(!body.includes(mark), `${where} shows "${mark}": ${body.slice(0, 300)}`);
  };

  test('reads of findings, counts and aggregations hold alpha\'s findings only', async () => {
    const search = await call('GET', '/api/v1/findings?size=1', alpha);
    assert.equal(search.statusCode, 200);
    assert.equal(search.json().total, 2);
    const cursor = search.json().nextCursor as string;
    noBeta('a cursor', Buffer.from(cursor.split('.')[0]!, 'base64url').toString());
    const rest = await call('GET', `/api/v1/findings?size=10&cursor=${encodeURIComponent(cursor)}`, alpha);
    assert.equal(rest.json().findings.length, 1);
    const aggs = await call('POST', '/api/v1/aggregate', alpha, {
      aggs: {
        accounts: { terms: { field: 'accountId', size: 100 } },
        ips: { terms: { field: 'remoteIp', size: 100 } },
        hist: { date_histogram: { field: 'updatedAt', interval: '1d' } },
        sev: { stats: { field: 'severity' } },
        bands: { terms: { field: 'band' } },
      },
    });
    assert.equal(aggs.statusCode, 200);
    assert.deepEqual(aggs.json().aggregations.accounts.buckets.map((b: { key: string }) => b.key).sort(), ALPHA);
    assert.equal(aggs.json().aggregations.sev.count, 2);
    const freeText = await call('GET', '/api/v1/findings?q=BETA-ONLY-TITLE', alpha);
    assert.equal(freeText.json().total, 0);
    for (const res of [search, rest, aggs, freeText]) noBeta('a finding read', res.body);
  });

  /** A path with its parameters filled: beta's real objects, or objects of the same shape that do not exist. */
  function fill(url: string, real: boolean): string {
    return url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      if (name === 'accountId') return real ? BETA : '999988880000';
      if (name === 'region') return REGION;
      if (name === 'id') {
        if (url.startsWith('/api/v1/findings')) return real ? 'beta-secret-finding' : 'beta-missing-finding';
        if (url.startsWith('/api/v1/alert-rules')) return real ? ids.rule : 'rul_doesnotexist0000000000';
        if (url.startsWith('/api/v1/destinations')) return real ? ids.destination : 'dst_doesnotexist0000000000';
        if (url.startsWith('/api/v1/deliveries')) return real ? ids.delivery : '987654321';
        if (url.startsWith('/api/v1/keys')) return real ? 'k' : 'k';
      }
      if (name === 'name') {
        if (url.startsWith('/api/v1/catalog')) return real ? 'beta' : 'gamma';
        if (url.startsWith('/api/v1/users')) return real ? 'beta-user' : 'nobody-user';
        if (url.startsWith('/api/v1/roles')) return real ? 'beta-role' : 'nobody-role';
        return real ? 'beta' : 'gamma';
      }
      return 'x';
    });
  }

  /** The answer with the identifiers that differ between the two calls written the same. */
  const normalized = (body: string, real: boolean): string => {
    const pairs: Array<[string, string]> = [
      [BETA, '999988880000'],
      ['beta-secret-finding', 'beta-missing-finding'],
      [ids.rule, 'rul_doesnotexist0000000000'],
      [ids.destination, 'dst_doesnotexist0000000000'],
      [ids.delivery, '987654321'],
      ['beta-user', 'nobody-user'],
      ['beta-role', 'nobody-role'],
      ['beta', 'gamma'],
    ];
    let out = body.replace(/"requestId":"[^"]*"/g, '');
    for (const [a, b] of pairs) out = out.replace(new RegExp(`(?<![\\w-])${(real ? a : b).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'), '<id>');
    return out;
  };

  test('every route answers alpha the same about beta\'s objects as about objects that do not exist, and lists nothing of beta', async () => {
    const skipped = new Set(['GET /api/v1/stream']); // tested below: it never ends on its own
    let called = 0;
    for (const route of r.served) {
      const key = `${route.method.toUpperCase()} ${route.url}`;
      if (skipped.has(key)) continue;
      // Writes are sent with an empty body: the answer may refuse it, but must not tell beta's objects apart.
      const payload = route.method === 'get' || route.method === 'delete' ? undefined : {};
      called++;
      const real = await call(route.method, fill(route.url, true), alpha, payload);
      if (!route.url.includes(':')) {
        noBeta(key, real.body);
        continue;
      }
      const missing = await call(route.method, fill(route.url, false), alpha, payload);
      assert.equal(real.statusCode, missing.statusCode, `${key}: ${real.statusCode} for beta's object, ${missing.statusCode} for a missing one: ${real.body.slice(0, 200)}`);
      assert.equal(normalized(real.body, true), normalized(missing.body, false), `${key} tells beta's object from a missing one`);
    }
    assert.ok(called >= 50, `only ${called} routes called`);
    // And none of those calls changed beta's data.
    const betaFinding = await admin('GET', `/api/v1/findings/${BETA}/${REGION}/beta-secret-finding`);
    assert.equal(betaFinding.yagura.archived, false);
    assert.equal((await admin('GET', '/api/v1/findings?q=accountId:999988887777')).total, 1);
  });

  test('alpha lists, reads, tries, changes and deletes its own alert rules, and only those', async () => {
    const hook = (await admin('POST', '/api/v1/destinations', { type: 'webhook', name: 'alpha-hook', url: 'http://127.0.0.1:9/alpha', secret: 'an-alpha-webhook-secret-of-length' })).id as string;
    const spec = { name: 'alpha-rule', query: 'severity >= 7', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: hook }] };
    const created = await call('POST', '/api/v1/alert-rules', alpha, spec);
    assert.equal(created.statusCode, 201, created.body);
    const mine = created.json() as { id: string; owner: string };
    assert.equal(mine.owner, 'arn:yagura:iam:::role/alpha-role');
    const list = await call('GET', '/api/v1/alert-rules', alpha);
    assert.deepEqual(list.json().rules.map((rule: { id: string }) => rule.id), [mine.id], 'only alpha\'s rule is listed');
    assert.equal((await call('GET', `/api/v1/alert-rules/${mine.id}`, alpha)).statusCode, 200);
    const tried = await call('POST', `/api/v1/alert-rules/${mine.id}/dry-run?from=now-30d`, alpha, {});
    assert.equal(tried.statusCode, 200, tried.body);
    noBeta('a dry run', tried.body);
    assert.equal((await call('PUT', `/api/v1/alert-rules/${mine.id}`, alpha, { ...spec, name: 'alpha-rule-2' })).json().name, 'alpha-rule-2');
    // An administrator sees both; alpha's change left beta's rule alone.
    const all = (await admin('GET', '/api/v1/alert-rules')).rules as Array<{ id: string; name: string }>;
    assert.deepEqual(all.map((rule) => rule.name).sort(), ['alpha-rule-2', 'beta-rule-name']);
    const bare = (method: 'GET' | 'DELETE', url: string) => r.h.app.inject({ method, url, headers: alpha });
    assert.equal((await bare('DELETE', `/api/v1/alert-rules/${mine.id}`)).statusCode, 204);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await bare(method, `/api/v1/alert-rules/${ids.rule}`);
      assert.equal(res.statusCode, 403, `${method} beta's rule`);
      assert.match(res.json().error.message, /not allowed to perform yagura:(Get|Delete)AlertRule/);
    }
    assert.equal((await admin('GET', `/api/v1/alert-rules/${ids.rule}`)).name, 'beta-rule-name', 'beta\'s rule is still there');
  });

  test('the live stream carries alpha\'s new findings and none of beta\'s', { timeout: 20_000 }, async () => {
    const url = await r.h.app.listen({ host: '127.0.0.1', port: 0 });
    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/stream`, { headers: alpha, signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    await r.h.ingest([eventOf(findingDoc({ id: 'beta-secret-finding-2', accountId: BETA, region: REGION, title: 'BETA-ONLY-TITLE' })), eventOf(findingDoc({ id: 'alpha-live', accountId: ALPHA[0]!, region: REGION }))]);
    while (!text.includes('alpha-live')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    assert.match(text, /alpha-live/);
    noBeta('the stream', text);
  });
});
