// The audit log of API calls: one entry per call with the right decision, never a secret, searchable by administrators.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import type { StoredAuditEntry } from '../../src/audit/audit-entry.js';
import { parseAuditQuery } from '../../src/audit/audit-query.js';
import { readDataFile } from '../support/data-file.js';
import { harness, type Harness } from '../support/harness.js';

const CSRF = { 'x-yagura-request': '1' };
const PASSWORD = 'correct-horse-battery-staple-9';

type Inject = InjectOptions;

describe('the audit log', () => {
  let h: Harness;
  let clock = Date.parse('2026-11-20T10:00:00Z');
  let readerKey: string;
  let readerPrefix: string;
  const admin = (): Record<string, string> => ({ ...h.auth, ...CSRF });

  before(async () => {
    h = await harness({}, { sessions: { maxAgeSeconds: 3600, idleSeconds: 600 }, now: () => clock });
    const call = async (method: 'POST' | 'PUT', url: string, payload: object): Promise<Record<string, string>> => {
      const res = await h.app.inject({ method, url, headers: admin(), payload });
      assert.ok(res.statusCode < 300, res.body);
      return res.json();
    };
    await call('POST', '/api/v1/policies', { name: 'list-users', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:ListUsers', Resource: '*' }] } });
    await call('POST', '/api/v1/roles', { name: 'Reader', policies: ['list-users'] });
    const created = await call('POST', '/api/v1/keys', { name: 'reader', role: 'Reader' });
    readerKey = created.key!;
    readerPrefix = created.prefix!;
    await call('POST', '/api/v1/users', { name: 'alice', password: PASSWORD, policies: ['list-users'] });
  });
  after(async () => h.close());

  const all = async (): Promise<StoredAuditEntry[]> => (await h.embedded.backend.audit.search({ query: parseAuditQuery('', clock), size: 10_000 })).entries as StoredAuditEntry[];

  /** Makes one call and returns the entries it left. */
  const entriesOf = async (request: Inject): Promise<{ status: number; body: string; entries: StoredAuditEntry[]; response: Awaited<ReturnType<typeof h.app.inject>> }> => {
    const before = new Set((await all()).map((e) => e.seq));
    clock += 1000;
    const res = await h.app.inject(request);
    const entries = (await all()).filter((e) => !before.has(e.seq));
    return { status: res.statusCode, body: res.body, entries, response: res };
  };

  const one = async (request: Inject): Promise<StoredAuditEntry> => {
    const { entries, body } = await entriesOf(request);
    assert.equal(entries.length, 1, `one entry for the call, got ${entries.length}: ${body}`);
    return entries[0]!;
  };

  test('records an allowed call with principal, key prefix, route, action, scope and sizes', async () => {
    const e = await one({ method: 'GET', url: '/api/v1/findings?q=severity%3E%3D7&size=5', headers: h.auth, remoteAddress: '198.51.100.7' });
    assert.equal(e.decision, 'allowed');
    assert.equal(e.status, 200);
    assert.equal(e.errorCode, null);
    assert.equal(e.principal, 'arn:yagura:iam:::role/Administrator');
    assert.ok(e.keyPrefix !== null && e.keyPrefix.length > 0, 'a legacy key is named by its id');
    assert.equal(e.sourceIp, '198.51.100.7');
    assert.equal(e.route, '/api/v1/findings');
    assert.equal(e.action, 'yagura:SearchFindings');
    assert.equal(e.resource, '*');
    assert.equal(e.items, 0);
    assert.ok(e.resultSize !== null && e.resultSize > 0);
    assert.equal(e.time, clock);
  });

  test('records a route pattern and the resource ARN, not the URL', async () => {
    const e = await one({ method: 'GET', url: '/api/v1/users/nobody', headers: h.auth });
    assert.equal(e.route, '/api/v1/users/:name');
    assert.equal(e.resource, 'arn:yagura:iam:::user/nobody');
    assert.equal(e.status, 404);
    assert.equal(e.errorCode, 'USER_NOT_FOUND');
    assert.equal(e.decision, 'allowed');
  });

  test('records a call the policies deny, with the key prefix of the restricted key', async () => {
    const e = await one({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': readerKey } });
    assert.equal(e.decision, 'denied');
    assert.equal(e.status, 403);
    assert.equal(e.errorCode, 'ACCESS_DENIED');
    assert.equal(e.principal, 'arn:yagura:iam:::role/Reader');
    assert.equal(e.keyPrefix, readerPrefix);
    assert.equal(e.action, 'yagura:ListKeys');
  });

  test('records a wrong key as unauthenticated, naming only the prefix it presented', async () => {
    const wrong = `${readerPrefix.slice(0, 3)}ZZZZZZZZ_${'s'.repeat(43)}`;
    const e = await one({ method: 'GET', url: '/api/v1/findings', headers: { authorization: `Bearer ${wrong}` } });
    assert.equal(e.decision, 'unauthenticated');
    assert.equal(e.status, 401);
    assert.equal(e.errorCode, 'UNAUTHENTICATED');
    assert.equal(e.principal, null);
    assert.equal(e.keyPrefix, 'yk_ZZZZZZZZ');
    assert.equal(e.resource, null);
  });

  test('records a revoked key and an expired key as unauthenticated', async () => {
    const made = await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: admin(), payload: { name: 'short', role: 'Reader', expiresAt: new Date(clock + 60_000).toISOString() } });
    assert.equal(made.statusCode, 201, made.body);
    const revoked = await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: admin(), payload: { name: 'gone', role: 'Reader' } });
    const gone = revoked.json<{ id: string; key: string; prefix: string }>();
    assert.equal((await h.app.inject({ method: 'DELETE', url: `/api/v1/keys/${gone.id}`, headers: admin() })).statusCode, 204);
    const r = await one({ method: 'GET', url: '/api/v1/users', headers: { 'x-api-key': gone.key } });
    assert.deepEqual([r.decision, r.status, r.errorCode, r.principal, r.keyPrefix], ['unauthenticated', 401, 'UNAUTHENTICATED', null, gone.prefix]);
    clock += 120_000;
    const x = await one({ method: 'GET', url: '/api/v1/users', headers: { 'x-api-key': made.json<{ key: string }>().key } });
    assert.deepEqual([x.decision, x.status, x.errorCode], ['unauthenticated', 401, 'UNAUTHENTICATED']);
  });

  test("records a removed user's open session as unauthenticated at its next request", async () => {
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'bob-temp', password: PASSWORD } });
    assert.equal(login.statusCode, 401, 'bob does not exist yet');
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin(), payload: { name: 'bob', password: PASSWORD, policies: ['list-users'] } })).statusCode, 201);
    const signIn = { method: 'POST' as const, url: '/api/v1/sessions', headers: CSRF, payload: { username: 'bob', password: PASSWORD } };
    const { entries: signedIn, response: opened } = await entriesOf(signIn);
    assert.deepEqual(signedIn.map((x) => [x.decision, x.status, x.principal]), [['allowed', 201, 'arn:yagura:iam:::user/bob']], 'a sign-in names who signed in');
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    const ok = await one({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    assert.deepEqual([ok.decision, ok.principal, ok.keyPrefix], ['allowed', 'arn:yagura:iam:::user/bob', null]);
    assert.match(ok.sessionId ?? '', /^[A-Za-z0-9_-]{16}$/);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/users/bob', headers: admin() })).statusCode, 204);
    const e = await one({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    assert.deepEqual([e.decision, e.status, e.errorCode, e.principal], ['unauthenticated', 401, 'UNAUTHENTICATED', null]);
  });

  test('does not record /health', async () => {
    const { entries } = await entriesOf({ method: 'GET', url: '/health' });
    assert.deepEqual(entries, []);
  });

  test('never records a key, a password, a session token or a query string', async () => {
    const secrets: string[] = [readerKey, readerKey.slice(12), h.key, PASSWORD];
    await h.app.inject({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent(readerKey)}`, headers: { authorization: `Bearer ${readerKey}` } });
    await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'alice', password: PASSWORD } });
    await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'alice', password: `${PASSWORD}-wrong` } });
    const opened = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: readerKey } });
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    const token = cookie.split('=')[1]!;
    secrets.push(token, token.replace(/^ygs_/, ''));
    await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${readerKey}x` } });
    await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: `yagura_session=${token}x` } });
    await h.app.inject({ method: 'GET', url: `/api/v1/nothing/${encodeURIComponent(readerKey)}`, headers: { 'x-api-key': h.key } });
    await h.embedded.backend.audit.flush();
    const rows = readDataFile(path.join(h.dir, 'data'), (db) => db.prepare('SELECT * FROM audit_log').all() as Record<string, unknown>[]);
    assert.ok(rows.length >= 8);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        for (const secret of secrets) assert.ok(!String(value).includes(secret), `column ${column} holds a secret: ${String(value)}`);
        assert.ok(!String(value).includes('?'), `column ${column} holds a query string: ${String(value)}`);
      }
    }
  });

  test('is searched with KQL over its fields, a time range and pages, newest first', async () => {
    const get = async (query: Record<string, string>): Promise<{ entries: Array<Record<string, unknown>>; nextCursor: string | null }> => {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/audit?${new URLSearchParams(query)}`, headers: h.auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const denied = await get({ q: 'decision:denied and status:403' });
    assert.ok(denied.entries.length >= 1 && denied.entries.every((e) => e.decision === 'denied' && e.errorCode === 'ACCESS_DENIED'));
    assert.ok((await get({ q: 'route:/api/v1/users*' })).entries.every((e) => String(e.route).startsWith('/api/v1/users')));
    assert.ok((await get({ q: 'status >= 400 and not decision:unauthenticated' })).entries.every((e) => (e.status as number) >= 400 && e.decision !== 'unauthenticated'));
    const words = await get({ q: 'ListKeys' });
    assert.ok(words.entries.length >= 1 && words.entries.every((e) => e.action === 'yagura:ListKeys'));
    const recent = await get({ from: new Date(clock - 500).toISOString() });
    assert.ok(recent.entries.every((e) => Date.parse(String(e.time)) >= clock - 500));
    const everything = await get({ size: '500' });
    const times = everything.entries.map((e) => Date.parse(String(e.time)));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await get({ size: '3', to: new Date(clock - 500).toISOString(), ...(cursor !== null && { cursor }) });
      paged.push(...page.entries.map((e) => e.requestId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const expected = everything.entries.filter((e) => Date.parse(String(e.time)) < clock - 500).map((e) => e.requestId);
    assert.deepEqual(paged, expected);
    assert.ok(paged.length > 6);
  });

  test('refuses an unknown field by name, and a tampered or foreign cursor', async () => {
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/audit?q=password:x', headers: h.auth });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_QUERY');
    assert.match(bad.json().error.message, /"password"/);
    const first = await h.app.inject({ method: 'GET', url: '/api/v1/audit?size=1', headers: h.auth });
    const cursor = first.json<{ nextCursor: string }>().nextCursor;
    const [body, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ p: { time: 9e15, seq: 1e9 }, f: JSON.parse(Buffer.from(body!, 'base64url').toString()).f })).toString('base64url');
    for (const url of [`/api/v1/audit?size=1&cursor=${forged}.${signature}`, `/api/v1/audit?size=1&q=status:200&cursor=${cursor}`]) {
      const res = await h.app.inject({ method: 'GET', url, headers: h.auth });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'INVALID_CURSOR');
    }
  });

  test('is closed to a principal without yagura:SearchAuditLog, and that refusal is recorded too', async () => {
    const e = await one({ method: 'GET', url: '/api/v1/audit', headers: { 'x-api-key': readerKey } });
    assert.deepEqual([e.decision, e.status, e.errorCode, e.action, e.resource], ['denied', 403, 'ACCESS_DENIED', 'yagura:SearchAuditLog', '*']);
  });
});
