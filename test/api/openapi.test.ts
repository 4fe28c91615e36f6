// GET /api/v1/openapi.json: the document covers every route the app registers, and needs a key like the rest.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Metrics } from '../../src/metrics/metrics.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';

describe('GET /api/v1/openapi.json', () => {
  let folder: AlertsFolder;
  let h: AlertsHarness;
  const routes: Array<{ method: string; url: string }> = [];
  before(async () => {
    folder = await alertsFolder();
    h = await folder.open({
      metrics: new Metrics(false),
      onRoute: (route) => {
        for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), url: route.url });
      },
    });
  });
  after(async () => {
    await h.stop();
    await folder.remove();
  });

  test('documents every registered route and method, so an undocumented route fails here', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: h.auth });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    // The dashboard's pages and assets are not API; /api, /health and /metrics are.
    const served = routes.filter((r) => r.method !== 'head' && r.method !== 'options' && (r.url.startsWith('/api/') || r.url === '/health' || r.url === '/metrics'));
    assert.ok(served.length >= 20, `only ${served.length} routes seen`);
    const missing = served
      .map((r) => ({ ...r, path: r.url.replace(/:([A-Za-z]+)/g, '{$1}') }))
      .filter((r) => doc.paths[r.path]?.[r.method] === undefined)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    assert.deepEqual(missing, []);
    // And nothing documented that the app does not serve.
    const servedKeys = new Set(served.map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`));
    const extra = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).filter((k) => !servedKeys.has(k));
    assert.deepEqual(extra, []);
  });

  test('needs an API key', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 401);
  });
});
