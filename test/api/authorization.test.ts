// Policies decide every route: a narrow role, restricted finding access, revocation and removal at the next request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Metrics } from '../../src/metrics/metrics.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

const CSRF = { 'x-yagura-request': '1' };

describe('authorization', () => {
  let h: Harness;
  let reader: Record<string, string>;
  let clock = Date.parse('2026-11-20T00:00:00Z');
  before(async () => {
    h = await harness({}, { sessions: { maxAgeSeconds: 3600, idleSeconds: 600 }, now: () => clock, alerts: true, metrics: new Metrics(false) });
    const post = async (url: string, payload: unknown): Promise<Record<string, any>> => {
      const res = await h.app.inject({ method: 'POST', url, headers: h.auth, payload: payload as Record<string, unknown> });
      assert.ok(res.statusCode < 300, res.body);
      return res.json() as Record<string, any>;
    };
    await post('/api/v1/policies', { name: 'list-rules', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:ListAlertRules', Resource: '*' }] } });
    await post('/api/v1/roles', { name: 'rule-lister', policies: ['list-rules'] });
    reader = { 'x-api-key': (await post('/api/v1/keys', { name: 'reader', role: 'rule-lister' })).key };
  });
  after(async () => h.close());

  const get = async (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });

  test('a role allowed only yagura:ListAlertRules lists rules and is refused everything else, naming the action', async () => {
    assert.equal((await get('/api/v1/alert-rules', reader)).statusCode, 200);
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/alert-rules/r1', headers: reader, payload: {} });
    assert.equal(put.statusCode, 403);
    assert.deepEqual(put.json(), { error: { code: 'ACCESS_DENIED', message: 'this principal is not allowed to perform yagura:PutAlertRule on arn:yagura:alerts:::rule/r1' } });
    const admin = await get('/api/v1/users', reader);
    assert.equal(admin.statusCode, 403);
    assert.match(admin.json().error.message, /yagura:ListUsers/);
    assert.doesNotMatch(admin.body, /Statement|Allow/, 'the policy text is never shown');
    const head = await h.app.inject({ method: 'HEAD', url: '/api/v1/users', headers: reader });
    assert.equal(head.statusCode, 403, 'HEAD shares its GET permission');
  });

  test('/metrics from another host needs yagura:GetMetrics', async () => {
    const denied = await h.app.inject({ url: '/metrics', remoteAddress: '198.51.100.7', headers: reader });
    assert.equal(denied.statusCode, 403);
    assert.match(denied.json().error.message, /yagura:GetMetrics/);
    assert.equal((await h.app.inject({ url: '/metrics', remoteAddress: '198.51.100.7', headers: h.auth })).statusCode, 200);
  });

  test('a principal whose policies name one account reads only that account\'s findings; no grant at all is refused', async () => {
    const docs = [findingDoc({ id: 'mine', accountId: '111111111111' }), findingDoc({ id: 'theirs', accountId: '222222222222' })];
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: docs.map((d) => eventOf(d)) })).statusCode, 200);
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      headers: h.auth,
      payload: { name: 'one-account', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] } },
    });
    await h.app.inject({ method: 'POST', url: '/api/v1/roles', headers: h.auth, payload: { name: 'tenant', policies: ['one-account'] } });
    const key = { 'x-api-key': (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 't', role: 'tenant' } })).json().key as string };
    const restricted = await get('/api/v1/findings', key);
    assert.equal(restricted.statusCode, 200);
    assert.deepEqual(restricted.json().findings.map((f: { yagura: { id: string } }) => f.yagura.id), ['mine']);
    assert.equal(restricted.json().total, 1);
    const agg = await h.app.inject({ method: 'POST', url: '/api/v1/aggregate', headers: key, payload: { aggs: { accounts: { terms: { field: 'accountId' } } } } });
    assert.equal(agg.statusCode, 200);
    assert.deepEqual(agg.json().aggregations.accounts.buckets.map((b: { key: string }) => b.key), ['111111111111']);
    const theirs = await get(`/api/v1/findings/222222222222/${String(docs[1]!.region)}/theirs`, key);
    const missing = await get(`/api/v1/findings/222222222222/${String(docs[1]!.region)}/no-such-finding`, key);
    assert.equal(theirs.statusCode, 404, 'a finding outside the scope is not found, as one that does not exist');
    assert.deepEqual(theirs.json().error.code, missing.json().error.code);
    assert.equal((await get(`/api/v1/findings/111111111111/${String(docs[0]!.region)}/mine`, key)).statusCode, 200);
    assert.equal((await get('/api/v1/findings', h.auth)).json().total, 2, 'an Administrator sees both');
    const none = await get('/api/v1/findings', reader);
    assert.equal(none.statusCode, 403, 'no grant at all is refused');
    assert.equal(none.json().error.code, 'ACCESS_DENIED');
  });

  test('policy variables and condition keys come from the principal and the request', async () => {
    const self = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'yagura:GetUser', Resource: 'arn:yagura:iam:::user/${aws:username}' },
        { Effect: 'Allow', Action: 'yagura:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' }, IpAddress: { 'aws:SourceIp': '192.0.2.0/24' }, Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    await h.app.inject({ method: 'POST', url: '/api/v1/policies', headers: h.auth, payload: { name: 'self', document: self } });
    await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: h.auth, payload: { name: 'gina', policies: ['self'], tags: { team: 'blue' } } });
    await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: h.auth, payload: { name: 'hank' } });
    const key = { 'x-api-key': (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 'g', user: 'gina' } })).json().key as string };
    assert.equal((await get('/api/v1/users/gina', key)).statusCode, 200);
    assert.equal((await get('/api/v1/users/hank', key)).statusCode, 403);
    const from = (ip: string) => h.app.inject({ method: 'GET', url: '/api/v1/roles/rule-lister', headers: key, remoteAddress: ip });
    assert.equal((await from('192.0.2.8')).statusCode, 200);
    assert.equal((await from('198.51.100.8')).statusCode, 403);
  });

  test('a revoked key is refused at the next request', async () => {
    const created = (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 'short-lived', role: 'rule-lister' } })).json();
    const headers = { authorization: `Bearer ${created.key}` };
    assert.equal((await get('/api/v1/alert-rules', headers)).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'DELETE', url: `/api/v1/keys/${created.id}`, headers: h.auth })).statusCode, 204);
    const after = await get('/api/v1/alert-rules', headers);
    assert.equal(after.statusCode, 401);
    assert.deepEqual(after.json().error, { code: 'UNAUTHENTICATED', message: 'the API key was revoked' });
    const unknown = await get('/api/v1/alert-rules', { authorization: `Bearer ${created.key.slice(0, -2)}xx` });
    assert.equal(unknown.json().error.message, 'the API key is not valid', 'a key whose secret does not match is only "not valid"');
  });

  test('an expired key is refused, saying so', async () => {
    const created = (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 'exp', role: 'rule-lister', expiresAt: new Date(clock + 60_000).toISOString() } })).json();
    assert.equal((await get('/api/v1/alert-rules', { 'x-api-key': created.key })).statusCode, 200);
    clock += 120_000;
    const res = await get('/api/v1/alert-rules', { 'x-api-key': created.key });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.message, 'the API key has expired');
  });

  test('a group deleted while it grants access stops granting at the next request', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/groups', headers: h.auth, payload: { name: 'listers', policies: ['list-rules'] } });
    await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: h.auth, payload: { name: 'erin', groups: ['listers'] } });
    const key = (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 'e', user: 'erin' } })).json().key as string;
    assert.equal((await get('/api/v1/alert-rules', { 'x-api-key': key })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/groups/listers', headers: h.auth })).statusCode, 204);
    assert.equal((await get('/api/v1/alert-rules', { 'x-api-key': key })).statusCode, 403);
  });

  test('password login opens a session; removing the user closes it at the next request', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: h.auth, payload: { name: 'frank', policies: ['list-rules'], password: 'a long enough secret' } });
    const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'frank', password: 'not the secret at all' } });
    const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'nobody', password: 'not the secret at all' } });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json(), 'an unknown user and a wrong password get the same answer');
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { username: 'frank', password: 'a long enough secret' } });
    assert.equal(login.statusCode, 201, login.body);
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0]!;
    const current = await get('/api/v1/sessions/current', { cookie });
    assert.equal(current.json().principal, 'arn:yagura:iam:::user/frank');
    assert.equal((await get('/api/v1/alert-rules', { cookie })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/users/frank', headers: h.auth })).statusCode, 204);
    const closed = await get('/api/v1/alert-rules', { cookie });
    assert.equal(closed.statusCode, 401);
    assert.match(closed.json().error.message, /user was removed/);
  });

  test('a session opened with a key ends when the key is revoked', async () => {
    const created = (await h.app.inject({ method: 'POST', url: '/api/v1/keys', headers: h.auth, payload: { name: 's', role: 'rule-lister' } })).json();
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: created.key } });
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0]!;
    assert.equal((await get('/api/v1/alert-rules', { cookie })).statusCode, 200);
    await h.app.inject({ method: 'DELETE', url: `/api/v1/keys/${created.id}`, headers: h.auth });
    const closed = await get('/api/v1/alert-rules', { cookie });
    assert.equal(closed.statusCode, 401);
    assert.match(closed.json().error.message, /revoked/);
  });
});
