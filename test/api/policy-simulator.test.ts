// POST /api/v1/policies/simulate: decisions as AWS's simulator gives them, and 400s that name the bad element.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { harness, type Harness } from '../support/harness.js';

const ALICE = 'arn:aws:iam::111111111111:user/alice';
const TABLE = 'arn:aws:glue:us-east-1:111111111111:table/db1/t1';

function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    principal: ALICE,
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [{ Sid: 'ReadTables', Effect: 'Allow', Action: 'glue:Get*', Resource: 'arn:aws:glue:us-east-1:111111111111:table/db1/*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }],
      },
    ],
    resourcePolicy: null,
    action: 'glue:GetTable',
    resource: TABLE,
    context: { 'aws:SourceIp': '203.0.113.7', 'aws:CurrentTime': '2026-12-01T10:00:00Z' },
    ...overrides,
  };
}

describe('POST /api/v1/policies/simulate', () => {
  let h: Harness;
  before(async () => {
    h = await harness({}, { now: () => Date.parse('2026-12-01T10:00:00Z') });
  });
  after(async () => h.close());

  const simulate = (body: unknown): Promise<LightMyRequestResponse> =>
    h.app.inject({ method: 'POST', url: '/api/v1/policies/simulate', headers: { ...h.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  test('allows what an identity policy allows, naming the statement', async () => {
    const res = await simulate(request());
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { decision: 'allowed', matchedStatements: [{ policy: 'identity[0]', sid: 'ReadTables', statement: 0 }] });
  });

  test('denies implicitly when a condition fails', async () => {
    const res = await simulate(request({ context: { 'aws:SourceIp': '198.51.100.1' } }));
    assert.deepEqual(res.json(), { decision: 'implicit_deny', matchedStatements: [] });
  });

  test('an explicit deny in the resource policy wins', async () => {
    const resourcePolicy = { Version: '2012-10-17', Statement: [{ Sid: 'NoOne', Effect: 'Deny', Principal: '*', Action: 'glue:*', Resource: '*' }] };
    const res = await simulate(request({ resourcePolicy }));
    assert.deepEqual(res.json(), { decision: 'explicit_deny', matchedStatements: [{ policy: 'resource', sid: 'NoOne', statement: 0 }] });
  });

  test('takes the accounts from the ARNs: across accounts both policies must allow', async () => {
    const carol = 'arn:aws:iam::222222222222:user/carol';
    const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const trust = { Version: '2012-10-17', Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: 'glue:GetTable', Resource: TABLE }] };
    assert.equal((await simulate(request({ principal: carol, identityPolicies: [allowAll] }))).json().decision, 'implicit_deny');
    const both = await simulate(request({ principal: carol, identityPolicies: [allowAll], resourcePolicy: trust }));
    assert.deepEqual(both.json(), { decision: 'allowed', matchedStatements: [{ policy: 'identity[0]', sid: null, statement: 0 }, { policy: 'resource', sid: 'Partner', statement: 0 }] });
  });

  test('takes a policy as JSON text too, as AWS\'s simulator does', async () => {
    const res = await simulate(request({ identityPolicies: [JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'Text', Effect: 'Allow', Action: 'glue:GetTable', Resource: TABLE } }, null, 2)] }));
    assert.deepEqual(res.json(), { decision: 'allowed', matchedStatements: [{ policy: 'identity[0]', sid: 'Text', statement: 0 }] });
  });

  test('fills aws:username and aws:CurrentTime from the principal and the clock', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*', Condition: { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } } }],
    };
    const res = await simulate({ principal: ALICE, identityPolicies: [policy], action: 's3:GetObject', resource: 'arn:aws:s3:::home/alice/a.txt' });
    assert.equal(res.json().decision, 'allowed', res.body);
    const other = await simulate({ principal: ALICE, identityPolicies: [policy], action: 's3:GetObject', resource: 'arn:aws:s3:::home/bob/a.txt' });
    assert.equal(other.json().decision, 'implicit_deny');
  });

  test('refuses an invalid policy with 400 INVALID_POLICY naming the element', async () => {
    const ok = { Effect: 'Allow', Action: '*', Resource: '*' };
    const bad = { Version: '2012-10-17', Statement: [ok, ok, { ...ok, Condition: { StringEqualz: { 'aws:username': 'alice' } } }] };
    const res = await simulate(request({ identityPolicies: [bad] }));
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { error: { code: 'INVALID_POLICY', message: 'Statement[2].Condition: unknown operator "StringEqualz"' } });
  });

  test('with several policies, says which one is invalid', async () => {
    const ok = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
    const res = await simulate(request({ identityPolicies: [ok], resourcePolicy: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*' } } }));
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error, { code: 'INVALID_POLICY', message: 'resourcePolicy: Statement[0]: needs Principal or NotPrincipal' });
  });

  test('refuses bad policies of each kind with 400', async () => {
    const ok = { Effect: 'Allow', Action: '*', Resource: '*' };
    const cases: Array<[unknown, RegExp]> = [
      [{ Version: '2011-01-01', Statement: ok }, /^Version: /],
      [{ Version: '2012-10-17', Statement: [] }, /^Statement: a policy needs at least one statement$/],
      [{ Version: '2012-10-17', Statement: ok, Extra: true }, /^Policy: unknown element "Extra"$/],
      [{ Version: '2012-10-17', Statement: Array.from({ length: 10_000 }, () => ok) }, /^Statement: 10000 statements is over the limit/],
      [{ Version: '2012-10-17', Statement: { ...ok, Resource: Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::b/${i}`) } }, /over the 6144-byte limit for identity policies$/],
      [{ Version: '2012-10-17', Statement: { ...ok, Resource: 'arn:aws:s3:::b/${aws:username' } }, /^Statement\[0\]\.Resource: the policy variable .* does not close/],
      [{ Version: '2012-10-17', Statement: { ...ok, Condition: { StringEquals: { 'a:b': { c: { d: ['e'] } } } } } }, /^Statement\[0\]\.Condition\.StringEquals\["a:b"\]: a condition value must be/],
      ['{"Version":', /^Policy: the document is not valid JSON$/],
      [42, /^Policy: a policy document must be a JSON object$/],
    ];
    for (const [policy, message] of cases) {
      const res = await simulate(request({ identityPolicies: [policy] }));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'INVALID_POLICY');
      assert.match(res.json().error.message, message);
    }
  });

  test('refuses a policy nested 100,000 levels deep with a 400, not a crash', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const payload = `{"principal":"${ALICE}","action":"s3:GetObject","resource":"*","identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":${deep}}}}}]}`;
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/policies/simulate', headers: { ...h.auth, 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(res.json().error, { code: 'INVALID_POLICY', message: 'Statement.Condition.StringEquals["a:b"][0][0][0]: nested deeper than a policy can be (7 levels of JSON)' });
  });

  test('refuses a malformed request body and a malformed request', async () => {
    const notJson = await h.app.inject({ method: 'POST', url: '/api/v1/policies/simulate', headers: { ...h.auth, 'content-type': 'application/json' }, payload: '{"principal": ' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error.code, 'INVALID_JSON');
    const noAction = await simulate(request({ action: 'GetTable' }));
    assert.equal(noAction.statusCode, 400);
    assert.equal(noAction.json().error.code, 'INVALID_PARAMETER');
    assert.match(noAction.json().error.message, /^"action": /);
    const extra = await simulate(request({ policy: {} }));
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.code, 'INVALID_PARAMETER');
  });

  test('needs authentication', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/policies/simulate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(request()) });
    assert.equal(res.statusCode, 401);
  });
});
