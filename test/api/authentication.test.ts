// Authentication follows the router: a path that routes to an API handler needs a credential however it is spelled.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { harness, type Harness } from '../support/harness.js';

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
