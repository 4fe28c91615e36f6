// Dashboard sessions over the HTTP API: login for a cookie, its flags, expiry, logout, CSRF, archiving.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RateRules } from '../../src/protection/rate-rules.js';
import { findingDoc } from '../fixtures/findings.js';
import { readDataFile } from '../support/data-file.js';
import { harness, type Harness } from '../support/harness.js';

const CSRF = { 'x-yagura-request': '1' };

function sessionCookie(setCookie: string | string[] | undefined): string {
  const line = [setCookie ?? []].flat().find((c) => c.startsWith('yagura_session='));
  assert.ok(line, 'a session cookie is set');
  return line;
}

describe('dashboard sessions', () => {
  let h: Harness;
  let clock = Date.parse('2026-11-20T00:00:00Z');
  before(async () => {
    h = await harness({}, { sessions: { maxAgeSeconds: 3600, idleSeconds: 600 }, now: () => clock });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify([findingDoc({ id: 'arch1' })]) });
    assert.equal(res.statusCode, 200, res.body);
  });
  after(async () => h.close());

  const login = async (): Promise<string> => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: h.key } });
    assert.equal(res.statusCode, 201, res.body);
    const line = sessionCookie(res.headers['set-cookie']);
    return line.split(';')[0]!;
  };

  test('trades a valid API key for an HttpOnly, SameSite=Strict cookie holding a 256-bit token', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: h.key } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().name, 'tester');
    const line = sessionCookie(res.headers['set-cookie']);
    assert.match(line, /HttpOnly/);
    assert.match(line, /SameSite=Strict/);
    assert.match(line, /Path=\//);
    assert.doesNotMatch(line, /Secure/, 'plain HTTP cannot carry a Secure cookie');
    const token = /^yagura_session=ygs_([A-Za-z0-9_-]+)/.exec(line)?.[1];
    assert.ok(token && Buffer.from(token, 'base64url').length >= 32);
    const stored = readDataFile(path.join(h.dir, 'data'), (db) => db.prepare('SELECT hash FROM sessions').all() as Array<{ hash: string }>);
    assert.ok(stored.length > 0 && stored.every((r) => !r.hash.includes(token)), 'only a hash of the token is stored');
  });

  test('refuses a wrong API key at login without setting a cookie', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: 'ygr_not-a-real-key-at-all-000000' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'UNAUTHENTICATED');
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('refuses a login without the custom header or from a foreign origin', async () => {
    const bare = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { apiKey: h.key } });
    assert.equal(bare.statusCode, 403);
    assert.equal(bare.json().error.code, 'CSRF_REJECTED');
    const foreign = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { ...CSRF, origin: 'https://evil.example' }, payload: { apiKey: h.key } });
    assert.equal(foreign.json().error.code, 'CSRF_REJECTED');
  });

  test('authenticates API reads with the cookie and tells who is logged in', async () => {
    const cookie = await login();
    const who = await h.app.inject({ url: '/api/v1/sessions/current', headers: { cookie } });
    assert.equal(who.statusCode, 200, who.body);
    assert.equal(who.json().name, 'tester');
    assert.equal(who.json().via, 'session');
    const search = await h.app.inject({ url: '/api/v1/findings', headers: { cookie } });
    assert.equal(search.json().total, 1);
    const forged = await h.app.inject({ url: '/api/v1/findings', headers: { cookie: 'yagura_session=ygs_forgedforgedforgedforged' } });
    assert.equal(forged.statusCode, 401);
  });

  test('authenticates the live stream with the cookie, as EventSource cannot send headers', async () => {
    const cookie = await login();
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    try {
      const res = await fetch(`${address}/api/v1/stream`, { headers: { cookie }, signal: controller.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const anonymous = await fetch(`${address}/api/v1/stream`);
      assert.equal(anonymous.status, 401);
    } finally {
      controller.abort();
    }
  });

  test('requires the custom header and our own origin for state-changing calls made with the cookie', async () => {
    const cookie = await login();
    const url = '/api/v1/findings/111122223333/us-east-1/arch1/archive';
    const noHeader = await h.app.inject({ method: 'POST', url, headers: { cookie } });
    assert.equal(noHeader.statusCode, 403);
    assert.equal(noHeader.json().error.code, 'CSRF_REJECTED');
    const foreign = await h.app.inject({ method: 'POST', url, headers: { cookie, ...CSRF, origin: 'http://attacker.example' } });
    assert.equal(foreign.statusCode, 403);
    const own = await h.app.inject({ method: 'POST', url, headers: { cookie, ...CSRF, origin: 'http://localhost:80', host: 'localhost:80' } });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().yagura.archived, true);
    const behindProxy = await h.app.inject({ method: 'POST', url, headers: { cookie, ...CSRF, origin: 'https://yagura.example.com', host: 'yagura.example.com' } });
    assert.equal(behindProxy.statusCode, 200, 'a TLS-terminating proxy: https origin, same host');
    const opaque = await h.app.inject({ method: 'POST', url, headers: { cookie, ...CSRF, origin: 'null' } });
    assert.equal(opaque.statusCode, 403);
  });

  test('archives and unarchives a finding in Yagura, recording who did it', async () => {
    const base = '/api/v1/findings/111122223333/us-east-1/arch1';
    const archived = await h.app.inject({ method: 'POST', url: `${base}/archive`, headers: h.auth });
    assert.equal(archived.statusCode, 200, archived.body);
    const found = await h.app.inject({ url: `/api/v1/findings?q=${encodeURIComponent('archived:true')}`, headers: h.auth });
    assert.equal(found.json().total, 1);
    const unarchived = await h.app.inject({ method: 'POST', url: `${base}/unarchive`, headers: h.auth });
    assert.equal(unarchived.json().yagura.archived, false);
    const actions = readDataFile(path.join(h.dir, 'data'), (db) => db.prepare('SELECT actor, archived FROM finding_archive_actions ORDER BY at, rowid').all());
    assert.deepEqual(actions.at(-1), { actor: 'tester', archived: 0 });
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/findings/111122223333/us-east-1/nope/archive', headers: h.auth });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'FINDING_NOT_FOUND');
  });

  test('ends a session after its idle time and after its absolute lifetime', async () => {
    const idle = await login();
    clock += 601_000;
    assert.equal((await h.app.inject({ url: '/api/v1/findings', headers: { cookie: idle } })).statusCode, 401);
    const active = await login();
    for (let i = 0; i < 8; i++) {
      clock += 500_000;
      const res = await h.app.inject({ url: '/api/v1/findings', headers: { cookie: active } });
      if (i < 7) assert.equal(res.statusCode, 200, `still valid after ${(i + 1) * 500} s of activity`);
      else assert.equal(res.statusCode, 401, 'expired after the absolute lifetime of an hour');
    }
  });

  test('logs out: the row is deleted, the cookie cleared and the old cookie refused', async () => {
    const cookie = await login();
    const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: { cookie, ...CSRF } });
    assert.equal(out.statusCode, 204, out.body);
    assert.match(sessionCookie(out.headers['set-cookie']), /Max-Age=0/);
    assert.equal((await h.app.inject({ url: '/api/v1/findings', headers: { cookie } })).statusCode, 401);
  });

  test('reports the position of a query syntax error in the error body', async () => {
    const res = await h.app.inject({ url: `/api/v1/findings?q=${encodeURIComponent('severity >= ')}`, headers: h.auth });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_QUERY');
    assert.equal(typeof res.json().error.position, 'number');
  });
});

describe('dashboard login rate limit', () => {
  test('counts login attempts against the login rule, by address', async () => {
    const rules = new RateRules({ windowSeconds: 300, limits: { ingest: 100, read: 100, login: 3 }, allowCidrs: [], maxTrackedSources: 1000 });
    const h = await harness({}, { sessions: { maxAgeSeconds: 3600, idleSeconds: 600 }, rateRules: { rules, windowSeconds: 300 } });
    try {
      const attempt = () => h.app.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress: '198.51.100.9', headers: CSRF, payload: { apiKey: 'ygr_guessing-a-key-000000000000' } });
      for (let i = 0; i < 3; i++) assert.equal((await attempt()).statusCode, 401);
      const refused = await attempt();
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'RATE_LIMITED');
      assert.match(refused.json().error.message, /login/);
    } finally {
      await h.close();
    }
  });
});
