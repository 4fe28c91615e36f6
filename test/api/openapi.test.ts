// GET /api/v1/openapi.json: the document covers every route the app registers, and needs a key like the rest.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { routedApp, type RoutedApp } from '../support/registered-routes.js';

describe('GET /api/v1/openapi.json', () => {
  let routed: RoutedApp;
  before(async () => {
    routed = await routedApp();
  });
  after(async () => {
    await routed.close();
  });

  test('documents every registered route and method, so an undocumented route fails here', async () => {
    const { h, served } = routed;
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: h.auth });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
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
    const res = await routed.h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 401);
  });
});
