// Every API route names what it needs in one table (src/api/route-permissions.ts), and the table names no route
// that does not exist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Metrics } from '../../src/metrics/metrics.js';
import { ROUTE_PERMISSIONS } from '../../src/api/route-permissions.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';

describe('route permissions', () => {
  let folder: AlertsFolder;
  let h: AlertsHarness;
  const routes = new Set<string>();
  before(async () => {
    folder = await alertsFolder();
    h = await folder.open({
      metrics: new Metrics(false),
      onRoute: (route) => {
        for (const method of [route.method].flat()) routes.add(`${method} ${route.url}`);
      },
    });
  });
  after(async () => {
    await h.stop();
    await folder.remove();
  });

  test('refuses to register an API route the table does not name', () => {
    assert.throws(() => h.app.get('/api/v1/undeclared', async () => ({})), /no entry in ROUTE_PERMISSIONS/);
    assert.throws(() => h.app.post('/api/v1/findings', async () => ({})), /no entry in ROUTE_PERMISSIONS/);
  });

  test('every entry of the table is a route the app serves', () => {
    const stale = Object.keys(ROUTE_PERMISSIONS).filter((key) => !routes.has(key));
    assert.deepEqual(stale, []);
  });

  test('only health and sign-in are public, and only the caller\'s own session and the API description need no action', () => {
    const byKind = (kind: string): string[] =>
      Object.entries(ROUTE_PERMISSIONS)
        .filter(([, p]) => p.kind === kind)
        .map(([k]) => k)
        .sort();
    assert.deepEqual(byKind('public'), ['GET /api/v1/sessions/methods', 'GET /api/v1/sessions/oidc/:provider', 'GET /api/v1/sessions/oidc/callback', 'GET /health', 'POST /api/v1/sessions']);
    assert.deepEqual(byKind('authenticated'), ['DELETE /api/v1/sessions/current', 'GET /api/v1/openapi.json', 'GET /api/v1/sessions/current']);
  });

  test('login needs no credential, and the route next to it does', async () => {
    // The handler itself judges the key in the body; the authentication hook would have asked for a header.
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'x-yagura-request': '1' }, payload: { apiKey: 'ygr_wrong' } });
    assert.equal(login.statusCode, 401);
    assert.equal((login.json() as { error: { message: string } }).error.message, 'the API key is not valid');
    const current = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current' });
    assert.equal(current.statusCode, 401);
  });
});
