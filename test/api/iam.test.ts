// The administration API: policies, roles, groups, users and keys, with every refusal coded.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { harness, type Harness } from '../support/harness.js';

const READ_RULES = { Version: '2012-10-17', Statement: [{ Sid: 'Rules', Effect: 'Allow', Action: 'yagura:ListAlertRules', Resource: '*' }] };

describe('administration API', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, auth: Record<string, string> = h.auth) => {
    const res = await h.app.inject({ method, url, headers: auth, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body === '' ? undefined : (res.json() as Record<string, any>) };
  };
  const refused = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown, status: number, code: string, message?: RegExp): Promise<void> => {
    const res = await call(method, url, payload);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body?.error.code, code);
    if (message) assert.match(res.body?.error.message, message);
  };

  test('policies: create, read, list, replace, delete', async () => {
    const created = await call('POST', '/api/v1/policies', { name: 'read-rules', document: READ_RULES });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { name: 'read-rules', arn: 'arn:yagura:iam:::policy/read-rules' });
    const one = await call('GET', '/api/v1/policies/read-rules');
    assert.deepEqual(one.body?.document, READ_RULES);
    const list = await call('GET', '/api/v1/policies?limit=1');
    assert.equal(list.body?.policies.length, 1);
    assert.ok(list.body?.nextCursor);
    const rest = await call('GET', `/api/v1/policies?limit=100&cursor=${list.body?.nextCursor}`);
    assert.ok(rest.body?.policies.some((p: { name: string }) => p.name === 'read-rules'));
    assert.equal(rest.body?.nextCursor, null);
    const doc = { ...READ_RULES, Statement: [{ ...READ_RULES.Statement[0], Action: ['yagura:ListAlertRules', 'yagura:GetAlertRule'] }] };
    assert.equal((await call('PUT', '/api/v1/policies/read-rules', { document: doc })).status, 200);
    assert.deepEqual((await call('GET', '/api/v1/policies/read-rules')).body?.document, doc);
    await call('POST', '/api/v1/policies', { name: 'temp', document: READ_RULES });
    assert.equal((await call('DELETE', '/api/v1/policies/temp')).status, 204);
    await refused('GET', '/api/v1/policies/temp', undefined, 404, 'POLICY_NOT_FOUND');
  });

  test('policies: an invalid document is a 400 naming the element, and nothing is saved', async () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'x' } } }] };
    await refused('POST', '/api/v1/policies', { name: 'bad', document: bad }, 400, 'INVALID_POLICY', /Statement\[0\]\.Condition/);
    await refused('GET', '/api/v1/policies/bad', undefined, 404, 'POLICY_NOT_FOUND');
    await refused('PUT', '/api/v1/policies/read-rules', { document: bad }, 400, 'INVALID_POLICY');
    await refused('POST', '/api/v1/policies', { name: 'nodoc' }, 400, 'INVALID_POLICY');
  });

  test('refuses unknown fields, over-long and ill-formed names, and duplicates', async () => {
    await refused('POST', '/api/v1/policies', { name: 'x', document: READ_RULES, extra: 1 }, 400, 'INVALID_PARAMETER', /unknown parameter "extra"/);
    await refused('POST', '/api/v1/roles', { name: 'r'.repeat(65) }, 400, 'INVALID_PARAMETER', /"name"/);
    await refused('POST', '/api/v1/users', { name: 'has space' }, 400, 'INVALID_PARAMETER', /"name"/);
    await refused('GET', `/api/v1/users/${'u'.repeat(65)}`, undefined, 400, 'INVALID_NAME');
    await refused('POST', '/api/v1/policies', { name: 'read-rules', document: READ_RULES }, 409, 'ALREADY_EXISTS');
    await refused('POST', '/api/v1/policies', { name: 'READ-RULES', document: READ_RULES }, 409, 'ALREADY_EXISTS');
  });

  test('roles: create with policies, unknown policy names refused by name, replace, delete', async () => {
    assert.deepEqual((await call('POST', '/api/v1/roles', { name: 'reader', policies: ['read-rules'] })).body, { name: 'reader', arn: 'arn:yagura:iam:::role/reader' });
    await refused('POST', '/api/v1/roles', { name: 'r2', policies: ['read-rules', 'ghost', 'phantom'] }, 400, 'UNKNOWN_POLICY', /"ghost", "phantom"/);
    await refused('GET', '/api/v1/roles/r2', undefined, 404, 'ROLE_NOT_FOUND');
    await refused('POST', '/api/v1/roles', { name: 'reader' }, 409, 'ALREADY_EXISTS');
    const replaced = await call('PUT', '/api/v1/roles/reader', { policies: ['read-rules'], description: 'reads rules', tags: { team: 'sec' } });
    assert.deepEqual([replaced.body?.description, replaced.body?.tags, replaced.body?.policies], ['reads rules', { team: 'sec' }, ['read-rules']]);
    const list = await call('GET', '/api/v1/roles');
    assert.deepEqual(list.body?.roles.map((r: { name: string }) => r.name), ['Administrator', 'reader']);
    await refused('DELETE', '/api/v1/policies/read-rules', undefined, 409, 'POLICY_IN_USE', /role "reader"/);
  });

  test('the built-in Administrator role and its policy cannot be changed or deleted', async () => {
    await refused('DELETE', '/api/v1/roles/Administrator', undefined, 409, 'BUILT_IN');
    await refused('PUT', '/api/v1/roles/Administrator', { policies: [] }, 409, 'BUILT_IN');
    await refused('DELETE', '/api/v1/policies/AdministratorAccess', undefined, 409, 'BUILT_IN');
    await refused('PUT', '/api/v1/policies/AdministratorAccess', { document: READ_RULES }, 409, 'BUILT_IN');
    assert.equal((await call('GET', '/api/v1/roles/Administrator')).body?.builtIn, true);
  });

  test('groups and users: membership, attached policies, tags; the password is never returned', async () => {
    assert.equal((await call('POST', '/api/v1/groups', { name: 'analysts', policies: ['read-rules'] })).status, 201);
    await refused('POST', '/api/v1/users', { name: 'alice', groups: ['nogroup'] }, 400, 'UNKNOWN_GROUP', /"nogroup"/);
    await refused('POST', '/api/v1/users', { name: 'alice', password: 'short' }, 400, 'INVALID_PASSWORD', /12 characters/);
    const created = await call('POST', '/api/v1/users', { name: 'alice', groups: ['analysts'], password: 'correct horse battery', tags: { team: 'blue' } });
    assert.equal(created.status, 201);
    const user = await call('GET', '/api/v1/users/alice');
    assert.deepEqual(user.body, { name: 'alice', arn: 'arn:yagura:iam:::user/alice', groups: ['analysts'], policies: [], tags: { team: 'blue' }, hasPassword: true, createdAt: user.body?.createdAt });
    assert.doesNotMatch(JSON.stringify(await call('GET', '/api/v1/users')), /horse|scrypt/);
    assert.deepEqual((await call('GET', '/api/v1/groups/analysts')).body?.members, ['alice']);
    const updated = await call('PUT', '/api/v1/users/alice', { groups: [], policies: ['read-rules'] });
    assert.deepEqual([updated.body?.groups, updated.body?.policies, updated.body?.hasPassword], [[], ['read-rules'], true]);
    await refused('PUT', '/api/v1/users/nobody', {}, 404, 'USER_NOT_FOUND');
    await refused('DELETE', '/api/v1/groups/nogroup', undefined, 404, 'GROUP_NOT_FOUND');
  });

  test('keys: created once for a role or user, listed without secrets, revoked once', async () => {
    const created = await call('POST', '/api/v1/keys', { name: 'ci', role: 'reader', expiresAt: '2099-01-01T00:00:00Z' });
    assert.equal(created.status, 201);
    assert.match(created.body?.key, /^yk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body?.prefix, created.body?.key.slice(0, 11));
    const list = await call('GET', '/api/v1/keys');
    const listed = list.body?.keys.find((k: { id: string }) => k.id === created.body?.id);
    assert.deepEqual([listed.prefix, listed.name, listed.owner.arn, listed.expiresAt, listed.revoked], [created.body?.prefix, 'ci', 'arn:yagura:iam:::role/reader', '2099-01-01T00:00:00.000Z', false]);
    assert.ok(!JSON.stringify(list.body).includes(created.body?.key.slice(12)), 'no secret in the list');
    assert.ok(list.body?.keys.some((k: { owner: { name: string }; prefix: string }) => k.owner.name === 'Administrator' && k.prefix === 'ygr_'), 'the ygr_ key belongs to Administrator');
    assert.equal((await call('POST', '/api/v1/keys', { name: 'mine', user: 'alice' })).status, 201);
    await refused('POST', '/api/v1/keys', { name: 'x', role: 'ghost' }, 400, 'UNKNOWN_OWNER', /role named "ghost"/);
    await refused('POST', '/api/v1/keys', { name: 'x', user: 'ghost' }, 400, 'UNKNOWN_OWNER');
    await refused('POST', '/api/v1/keys', { name: 'x', role: 'reader', user: 'alice' }, 400, 'INVALID_PARAMETER', /exactly one/);
    await refused('POST', '/api/v1/keys', { name: 'x', role: 'reader', expiresAt: '2001-01-01T00:00:00Z' }, 400, 'INVALID_EXPIRY', /past/);
    await refused('POST', '/api/v1/keys', { name: 'x', role: 'reader', expiresAt: 'tomorrow' }, 400, 'INVALID_EXPIRY');
    assert.equal((await call('DELETE', `/api/v1/keys/${created.body?.id}`)).status, 204);
    await refused('DELETE', `/api/v1/keys/${created.body?.id}`, undefined, 409, 'ALREADY_REVOKED');
    await refused('DELETE', '/api/v1/keys/not-a-key', undefined, 404, 'KEY_NOT_FOUND');
    const revoked = (await call('GET', '/api/v1/keys')).body?.keys.find((k: { id: string }) => k.id === created.body?.id);
    assert.equal(revoked.revoked, true);
  });

  test("a key's last use is recorded after it authenticates", async () => {
    const key = await call('POST', '/api/v1/keys', { name: 'used', role: 'reader' });
    const before = (await call('GET', '/api/v1/keys')).body?.keys.find((k: { id: string }) => k.id === key.body?.id);
    assert.equal(before.lastUsedAt, null);
    await call('GET', '/api/v1/openapi.json', undefined, { 'x-api-key': key.body?.key });
    // Written off the request's path, on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const after = (await call('GET', '/api/v1/keys')).body?.keys.find((k: { id: string }) => k.id === key.body?.id);
    assert.match(after.lastUsedAt, /^\d{4}-/);
  });

  test('deleting a user revokes its keys', async () => {
    await call('POST', '/api/v1/users', { name: 'dave' });
    const key = await call('POST', '/api/v1/keys', { name: 'd', user: 'dave' });
    assert.equal((await call('GET', '/api/v1/openapi.json', undefined, { 'x-api-key': key.body?.key })).status, 200, 'a key of a user with no policy still authenticates');
    assert.equal((await call('DELETE', '/api/v1/users/dave')).status, 204);
    const res = await call('GET', '/api/v1/openapi.json', undefined, { 'x-api-key': key.body?.key });
    assert.equal(res.status, 401);
    assert.equal(res.body?.error.message, 'the API key was revoked');
  });
});
