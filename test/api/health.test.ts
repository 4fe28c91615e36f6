// GET /health: ok while the archive keeps up; degraded, still 200, when its lag passes the limit.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { findingDoc } from '../fixtures/findings.js';
import { harness } from '../support/harness.js';

test('reports the archive lagging as degraded, with HTTP 200, until the lagging object is written', async () => {
  // A limit of 0 s: any version not yet archived is over it.
  const h = await harness({}, { archiveLagLimitSeconds: 0 });
  try {
    assert.deepEqual((await h.app.inject({ url: '/health' })).json(), { status: 'ok' });
    const posted = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json', ...h.auth }, payload: JSON.stringify(findingDoc({ id: 'lag1' })) });
    assert.equal(posted.statusCode, 200);
    await sleep(5);
    const res = await h.app.inject({ url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { status: string; checks: { archive: { status: string; lagSeconds: number; limitSeconds: number; message: string } } };
    assert.equal(body.status, 'degraded');
    assert.equal(body.checks.archive.status, 'lagging');
    assert.equal(body.checks.archive.limitSeconds, 0);
    assert.ok(body.checks.archive.lagSeconds >= 0);
    assert.match(body.checks.archive.message, /safe in the store/);
    await h.embedded.archiver.sealAll();
    assert.deepEqual((await h.app.inject({ url: '/health' })).json(), { status: 'ok' });
  } finally {
    await h.close();
  }
});
