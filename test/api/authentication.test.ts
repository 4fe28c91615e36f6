// Authentication follows the router: every registered API route needs a credential, however its path is spelled.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { harness, type Harness } from '../support/harness.js';
import { routedApp, type RegisteredRoute, type RoutedApp } from '../support/registered-routes.js';

/**
 * The routes docs/api.md serves without credentials: the health check, and the login that authenticates itself with
 * the key in its body. /metrics is open to loopback scrapers only, so the walk below comes from another host.
 */
// Sign-in itself: the key or password login, which methods exist, and the OIDC redirect and its return.
const OPEN = new Set([
  'get /health',
  'head /health',
  'post /api/v1/sessions',
  'get /api/v1/sessions/methods',
  'head /api/v1/sessions/methods',
  'get /api/v1/sessions/oidc/:provider',
  'head /api/v1/sessions/oidc/:provider',
  'get /api/v1/sessions/oidc/callback',
  'head /api/v1/sessions/oidc/callback',
]);
const REMOTE = '198.51.100.7';

/** A concrete URL for a route pattern: every parameter and wildcard filled with a plausible value. */
function concrete(route: RegisteredRoute): string {
  return route.url.replace(/:[A-Za-z]+/g, 'x1').replace(/\*/g, 'x1');
}

describe('authentication of every registered route', () => {
  let routed: RoutedApp;
  before(async () => {
    routed = await routedApp();
  });
  after(async () => {
    await routed.close();
  });

  const credentials: Array<[what: string, headers: Record<string, string>]> = [
    ['no credential', {}],
    ['a wrong key in X-Api-Key', { 'x-api-key': 'ygr_not-a-key-this-server-issued' }],
    ['a wrong key as a bearer token', { authorization: 'Bearer ygr_not-a-key-this-server-issued' }],
    ['a forged session cookie', { cookie: 'yagura_session=forged', 'x-yagura-request': '1' }],
  ];
  for (const [what, headers] of credentials) {
    test(`refuses every method of every /api route and /metrics with ${what}, but for the documented exceptions`, async () => {
      const walked = routed.routes.filter((r) => r.method !== 'options' && (r.url.startsWith('/api/') || r.url === '/metrics') && !OPEN.has(`${r.method} ${r.url}`));
      assert.ok(walked.length >= 20, `only ${walked.length} routes seen`);
      const open: string[] = [];
      for (const route of walked) {
        const method = route.method.toUpperCase() as 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        const res = await routed.h.app.inject({ method, url: concrete(route), headers, remoteAddress: REMOTE });
        const refused = res.statusCode === 401 && (method === 'HEAD' || res.json<{ error: { code: string } }>().error.code === 'UNAUTHENTICATED');
        if (!refused) open.push(`${method} ${route.url} answered ${res.statusCode}`);
      }
      assert.deepEqual(open, []);
    });
  }

  test('registers no route outside /api but /health, /metrics and the STS endpoint, so a new one cannot escape the walk above', () => {
    // The dashboard's static files are the one other family (public: the page logs in through the API); this app has none.
    const sts = new Set(['post /sts', 'post /sts/', 'post /']);
    const outside = routed.routes.filter((r) => !r.url.startsWith('/api/') && r.url !== '/health' && r.url !== '/metrics' && r.method !== 'options' && !sts.has(`${r.method} ${r.url}`));
    assert.deepEqual(outside, []);
  });

  test('the STS endpoint answers GetCallerIdentity only to a signed caller or a valid key, and issues nothing without proof', async () => {
    for (const url of ['/sts', '/sts/', '/']) {
      const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        routed.h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams({ Version: '2011-06-15', ...fields }).toString(), remoteAddress: REMOTE });
      const anonymous = await form({ Action: 'GetCallerIdentity' });
      assert.equal(anonymous.statusCode, 403, anonymous.body);
      assert.match(anonymous.body, /<Code>MissingAuthenticationToken<\/Code>/);
      const wrongKey = await form({ Action: 'GetCallerIdentity' }, { 'x-api-key': 'yk_wrongwro_0123456789012345678901234567890123456789012' });
      assert.match(wrongKey.body, /<Code>InvalidClientTokenId<\/Code>/);
      const withKey = await form({ Action: 'GetCallerIdentity' }, routed.h.auth);
      assert.equal(withKey.statusCode, 200, withKey.body);
      assert.match(withKey.body, /<Arn>arn:yagura:iam:::role\/Administrator<\/Arn>/);
      const noToken = await form({ Action: 'AssumeRoleWithWebIdentity', RoleArn: 'arn:yagura:iam:::role/Administrator', RoleSessionName: 'x1' });
      assert.match(noToken.body, /<Code>ValidationError<\/Code>/);
      const noLdap = await form({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'alice', LDAPPassword: 'x' });
      assert.match(noLdap.body, /<Code>InvalidParameterValue<\/Code>/, 'LDAP is not configured here');
    }
  });

  test('serves the documented exceptions without a credential', async () => {
    const exceptions = routed.routes.filter((r) => OPEN.has(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(exceptions.sort(), [...OPEN].sort(), 'every exception is a registered route');
    assert.equal((await routed.h.app.inject({ method: 'GET', url: '/health', remoteAddress: REMOTE })).statusCode, 200);
    const login = await routed.h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'x-yagura-request': '1' }, payload: { apiKey: routed.h.auth['x-api-key'] }, remoteAddress: REMOTE });
    assert.equal(login.statusCode, 201, login.body);
  });
});

describe('authentication of percent-encoded API paths', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => {
    await h.close();
  });

  const spellings: Array<[method: 'GET' | 'POST', url: string, body?: object]> = [
    ['GET', '/%61pi/v1/findings'],
    ['GET', '/%61%70%69/v1/findings?q=*'],
    ['GET', '/api/%761/findings'],
    ['GET', '/api/v1/%66indings/111122223333/us-east-1/abc'],
    ['POST', '/%61pi/v1/aggregate', { aggs: { b: { terms: { field: 'band' } } } }],
    ['POST', '/%61pi/v1/events', { id: 'x' }],
    ['GET', '/%61pi/v1/stream'],
  ];
  for (const [method, url, body] of spellings) {
    test(`refuses ${method} ${url} without a credential`, async () => {
      const res = await h.app.inject({ method, url, ...(body && { payload: body }) });
      assert.equal(res.statusCode, 401, res.body.slice(0, 200));
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'UNAUTHENTICATED');
    });
  }

  test('an encoded path with a valid key reaches the same handler', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/%61pi/v1/findings', headers: h.auth });
    assert.equal(res.statusCode, 200);
  });
});
