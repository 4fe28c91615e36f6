// AWS's evaluation logic: explicit deny, NotAction/NotResource/NotPrincipal, same- and cross-account resource policies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../../test/fuzz/settings.js';
import type { Policy, PolicyKind, RequestContext } from './document.js';
import { evaluate, type Evaluation, type PolicySet } from './evaluate.js';
import { policyOrThrow } from './validate.js';

const ALICE = 'arn:aws:iam::111111111111:user/alice';
const BOB = 'arn:aws:iam::111111111111:user/bob';
const CAROL = 'arn:aws:iam::222222222222:user/carol';
const TABLE = 'arn:aws:glue:us-east-1:111111111111:table/db1/t1';

const policy = (kind: PolicyKind, ...statements: Record<string, unknown>[]): Policy => policyOrThrow({ Version: '2012-10-17', Statement: statements }, kind);
const identity = (...statements: Record<string, unknown>[]): Policy => policy('identity', ...statements);
const resourcePolicy = (...statements: Record<string, unknown>[]): Policy => policy('resource', ...statements);

function decide(set: PolicySet, request: { principal?: string; action?: string; resource?: string; context?: RequestContext; resourceAccount?: string } = {}): Evaluation {
  return evaluate(set, { principal: ALICE, action: 'glue:GetTable', resource: TABLE, context: {}, ...request });
}

const allowGlue = { Sid: 'AllowGlue', Effect: 'Allow', Action: 'glue:GetTable', Resource: TABLE };
const denyGlue = { Sid: 'DenyGlue', Effect: 'Deny', Action: 'glue:*', Resource: '*' };

describe('evaluation logic', () => {
  test('with no statement that allows, the request is implicitly denied', () => {
    assert.deepEqual(decide({ identity: [] }), { decision: 'implicit_deny', matchedStatements: [] });
    assert.deepEqual(decide({ identity: [identity({ ...allowGlue, Action: 'glue:GetDatabase' })] }), { decision: 'implicit_deny', matchedStatements: [] });
  });

  test('an identity policy allows, and reports the statement that did', () => {
    assert.deepEqual(decide({ identity: [identity(allowGlue)] }), { decision: 'allowed', matchedStatements: [{ policy: 'identity[0]', sid: 'AllowGlue', statement: 0 }] });
  });

  test('an explicit deny in any policy wins over every allow, and only the denies are reported', () => {
    const result = decide({ identity: [identity(allowGlue), identity({ Effect: 'Allow', Action: '*', Resource: '*' }, denyGlue)] });
    assert.deepEqual(result, { decision: 'explicit_deny', matchedStatements: [{ policy: 'identity[1]', sid: 'DenyGlue', statement: 1 }] });
    const fromResource = decide({ identity: [identity(allowGlue)], resource: resourcePolicy({ ...denyGlue, Principal: '*' }) });
    assert.deepEqual(fromResource, { decision: 'explicit_deny', matchedStatements: [{ policy: 'resource', sid: 'DenyGlue', statement: 0 }] });
  });

  test('action names match case-insensitively; resource ARNs case-sensitively', () => {
    assert.equal(decide({ identity: [identity({ ...allowGlue, Action: 'GLUE:gettable' })] }).decision, 'allowed');
    assert.equal(decide({ identity: [identity({ ...allowGlue, Resource: TABLE.replace('t1', 'T1') })] }).decision, 'implicit_deny');
  });

  test('NotAction allows everything but the actions it names', () => {
    const p = identity({ Effect: 'Allow', NotAction: ['iam:*', 'glue:Delete*'], Resource: '*' });
    assert.equal(decide({ identity: [p] }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { action: 'glue:DeleteTable' }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [p] }, { action: 'iam:CreateUser', resource: 'arn:aws:iam::111111111111:user/x' }).decision, 'implicit_deny');
  });

  test('NotResource applies to every resource but those it names', () => {
    const p = identity({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:glue:us-east-1:111111111111:table/db1/*' });
    assert.equal(decide({ identity: [p] }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { resource: 'arn:aws:glue:us-east-1:111111111111:table/db2/t' }).decision, 'explicit_deny');
  });

  test('NotPrincipal in a Deny denies everyone but the principals it names', () => {
    const r = resourcePolicy({ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: ALICE }, Action: '*' });
    const allowAll = identity({ Effect: 'Allow', Action: '*', Resource: '*' });
    assert.equal(decide({ identity: [allowAll], resource: r }).decision, 'allowed');
    assert.equal(decide({ identity: [allowAll], resource: r }, { principal: BOB }).decision, 'explicit_deny');
  });

  test('a missing key makes a negated Deny condition true, so the deny applies', () => {
    const p = identity(allowGlue, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } });
    assert.equal(decide({ identity: [p] }).decision, 'explicit_deny');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:RequestedRegion': 'us-east-1' } }).decision, 'allowed');
  });

  test('IfExists on an Allow: a missing key passes, a present one is still compared', () => {
    const p = identity({ ...allowGlue, Condition: { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } } });
    assert.equal(decide({ identity: [p] }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:RequestedRegion': 'us-east-1' } }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:RequestedRegion': 'eu-west-1' } }).decision, 'implicit_deny');
  });

  test('IfExists on a Deny makes the deny apply when the key is missing too', () => {
    const p = identity(allowGlue, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } } });
    assert.equal(decide({ identity: [p] }).decision, 'explicit_deny');
    assert.equal(decide({ identity: [p] }, { context: { 'aws:RequestedRegion': 'us-east-1' } }).decision, 'allowed');
  });

  test('policy variables in Resource take the request context', () => {
    const p = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' });
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::home/alice/notes.txt' };
    assert.equal(decide({ identity: [p] }, { ...request, context: { 'aws:username': 'alice' } }).decision, 'allowed');
    assert.equal(decide({ identity: [p] }, { ...request, context: { 'aws:username': 'bob' } }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [p] }, request).decision, 'implicit_deny', 'an unresolved variable matches nothing');
  });
});

describe('resource policies within one account', () => {
  test('a resource policy naming the principal allows without any identity policy', () => {
    const r = resourcePolicy({ Sid: 'Alice', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'glue:GetTable', Resource: TABLE });
    assert.deepEqual(decide({ identity: [], resource: r }), { decision: 'allowed', matchedStatements: [{ policy: 'resource', sid: 'Alice', statement: 0 }] });
    assert.equal(decide({ identity: [], resource: r }, { principal: BOB }).decision, 'implicit_deny');
  });

  test('a resource policy naming only the account delegates to identity policies', () => {
    for (const account of ['111111111111', 'arn:aws:iam::111111111111:root']) {
      const r = resourcePolicy({ Effect: 'Allow', Principal: { AWS: account }, Action: '*', Resource: '*' });
      assert.equal(decide({ identity: [], resource: r }).decision, 'implicit_deny');
      assert.equal(decide({ identity: [identity(allowGlue)], resource: r }).decision, 'allowed');
    }
  });

  test('an identity policy alone allows even when a resource policy is silent', () => {
    const r = resourcePolicy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: '*' });
    assert.equal(decide({ identity: [identity(allowGlue)], resource: r }).decision, 'allowed');
  });

  test('a role session matches a Principal naming its role', () => {
    const r = resourcePolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/reader' }, Action: '*' });
    assert.equal(decide({ identity: [], resource: r }, { principal: 'arn:aws:sts::111111111111:assumed-role/reader/session-1' }).decision, 'allowed');
  });

  test('a resource ARN without an account (an S3 bucket) is taken to be in the principal\'s account unless told otherwise', () => {
    const r = resourcePolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:GetObject' });
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key' };
    assert.equal(decide({ identity: [], resource: r }, request).decision, 'allowed');
    assert.equal(decide({ identity: [], resource: r }, { ...request, resourceAccount: '222222222222' }).decision, 'implicit_deny');
  });
});

describe('resource policies across accounts', () => {
  const allowAll = identity({ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' });
  const r = resourcePolicy({ Sid: 'Carol', Effect: 'Allow', Principal: { AWS: CAROL }, Action: 'glue:GetTable', Resource: TABLE });

  test('both the identity policy and the resource policy must allow', () => {
    assert.equal(decide({ identity: [allowAll] }, { principal: CAROL }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [], resource: r }, { principal: CAROL }).decision, 'implicit_deny');
    assert.deepEqual(decide({ identity: [allowAll], resource: r }, { principal: CAROL }), {
      decision: 'allowed',
      matchedStatements: [{ policy: 'identity[0]', sid: 'All', statement: 0 }, { policy: 'resource', sid: 'Carol', statement: 0 }],
    });
  });

  test('a resource policy trusting the other account allows what that account\'s identity policies allow', () => {
    const trust = resourcePolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'glue:*' });
    assert.equal(decide({ identity: [allowAll], resource: trust }, { principal: CAROL }).decision, 'allowed');
    assert.equal(decide({ identity: [], resource: trust }, { principal: CAROL }).decision, 'implicit_deny');
  });

  test('Principal "*" still needs the other account\'s identity policy', () => {
    const open = resourcePolicy({ Effect: 'Allow', Principal: '*', Action: '*' });
    assert.equal(decide({ identity: [], resource: open }, { principal: CAROL }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [allowAll], resource: open }, { principal: CAROL }).decision, 'allowed');
  });

  test('a service principal is allowed by the resource policy alone', () => {
    const svc = resourcePolicy({ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'glue:GetTable' });
    assert.equal(decide({ identity: [], resource: svc }, { principal: 'glue.amazonaws.com' }).decision, 'allowed');
    assert.equal(decide({ identity: [], resource: svc }, { principal: 'athena.amazonaws.com' }).decision, 'implicit_deny');
  });
});

describe('evaluation properties', () => {
  const actions = ['s3:GetObject', 's3:PutObject', 'glue:GetTable', 'glue:DeleteTable'];
  const resources = ['arn:aws:s3:::b/k', 'arn:aws:glue:us-east-1:111111111111:table/db1/t1', 'arn:aws:glue:us-east-1:222222222222:table/db1/t1'];
  const principals = [ALICE, BOB, CAROL];
  const conditionArb = fc.constantFrom<Record<string, unknown> | undefined>(
    undefined,
    { StringEquals: { 'test:Team': 'red' } },
    { StringNotEquals: { 'test:Team': 'red' } },
    { 'ForAllValues:StringEquals': { 'test:Tags': ['a', 'b'] } },
    { 'ForAnyValue:StringLike': { 'test:Tags': 'a*' } },
    { BoolIfExists: { 'aws:SecureTransport': 'true' } },
    { Null: { 'test:Team': 'true' } },
  );
  const statementArb = (kind: PolicyKind): fc.Arbitrary<Record<string, unknown>> =>
    fc.record({
      effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      action: fc.subarray(['*', 's3:*', 'glue:Get*', ...actions], { minLength: 1 }),
      not: fc.boolean(),
      resource: fc.subarray(['*', 'arn:aws:s3:::b/*', 'arn:aws:glue:*:*:table/db1/*', ...resources], { minLength: 1 }),
      principal: fc.constantFrom<unknown>('*', { AWS: ALICE }, { AWS: '222222222222' }, { AWS: [BOB, CAROL] }),
      condition: conditionArb,
    }).map((s) => ({
      Effect: s.effect,
      [s.not ? 'NotAction' : 'Action']: s.action,
      Resource: s.resource,
      ...(kind === 'resource' && { Principal: s.principal }),
      ...(s.condition && { Condition: s.condition }),
    }));
  const setArb = fc.record({
    identity: fc.array(fc.array(statementArb('identity'), { minLength: 1, maxLength: 4 }), { maxLength: 3 }),
    resource: fc.option(fc.array(statementArb('resource'), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  });
  const requestArb = fc.record({
    principal: fc.constantFrom(...principals),
    action: fc.constantFrom(...actions),
    resource: fc.constantFrom(...resources),
    context: fc.record({ 'test:Team': fc.constantFrom('red', 'blue'), 'test:Tags': fc.subarray(['a', 'b', 'c']), 'aws:SecureTransport': fc.boolean() }, { requiredKeys: [] }),
  });
  const build = (s: { identity: Record<string, unknown>[][]; resource?: Record<string, unknown>[] | undefined }): PolicySet => ({
    identity: s.identity.map((st) => identity(...st)),
    ...(s.resource && { resource: resourcePolicy(...s.resource) }),
  });

  test('adding a Deny statement never turns a request into allowed', () => {
    fc.assert(
      fc.property(setArb, requestArb, statementArb('identity'), (s, request, extra) => {
        const before = evaluate(build(s), request).decision;
        const deny = { ...extra, Effect: 'Deny' };
        const after = evaluate(build({ ...s, identity: [...s.identity, [deny]] }), request).decision;
        return after === before || after === 'explicit_deny';
      }),
      fuzzParameters(),
    );
  });

  test('the decision and the statements reported do not depend on statement order', () => {
    const key = (e: Evaluation): string => JSON.stringify([e.decision, e.matchedStatements.map((m) => `${m.policy}`).sort()]);
    fc.assert(
      fc.property(setArb, requestArb, fc.nat(), (s, request, seed) => {
        const rotate = <T>(list: T[]): T[] => (list.length === 0 ? list : [...list.slice(seed % list.length), ...list.slice(0, seed % list.length)].reverse());
        const reordered = { identity: s.identity.map(rotate), ...(s.resource && { resource: rotate(s.resource) }) };
        return key(evaluate(build(s), request)) === key(evaluate(build(reordered), request));
      }),
      fuzzParameters(),
    );
  });

  test('a Deny with the same action, resource and principal as an Allow that matched always wins', () => {
    fc.assert(
      fc.property(setArb, requestArb, (s, request) => {
        const result = evaluate(build(s), request);
        if (result.decision !== 'allowed') return true;
        const withDeny = { ...s, identity: [...s.identity, [{ Effect: 'Deny', Action: request.action, Resource: request.resource }]] };
        return evaluate(build(withDeny), request).decision === 'explicit_deny';
      }),
      fuzzParameters(),
    );
  });
});

describe('session policies (temporary credentials)', () => {
  const allowAll = { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' };

  test('narrow: an action the identity policies allow is implicitly denied unless the session policy allows it too', () => {
    const session = identity({ Sid: 'OnlyGetTable', Effect: 'Allow', Action: 'glue:GetTable', Resource: TABLE });
    assert.equal(decide({ identity: [identity(allowAll)], session: [session] }).decision, 'allowed');
    assert.deepEqual(
      decide({ identity: [identity(allowAll)], session: [session] }).matchedStatements.map((m) => m.policy),
      ['identity[0]', 'session[0]'],
    );
    assert.equal(decide({ identity: [identity(allowAll)], session: [session] }, { action: 'glue:DeleteTable' }).decision, 'implicit_deny');
  });

  test('never widen: what the identity policies do not allow stays denied whatever the session policy says', () => {
    assert.equal(decide({ identity: [identity(allowGlue)], session: [identity(allowAll)] }, { action: 'glue:DeleteTable' }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [], session: [identity(allowAll)] }).decision, 'implicit_deny');
  });

  test('a deny in the session policy is an explicit deny', () => {
    const result = decide({ identity: [identity(allowAll)], session: [identity(allowAll, denyGlue)] });
    assert.equal(result.decision, 'explicit_deny');
    assert.deepEqual(result.matchedStatements.map((m) => [m.policy, m.sid]), [['session[0]', 'DenyGlue']]);
  });

  test('an empty session policy list allows nothing; no session policy leaves the identity policies alone', () => {
    assert.equal(decide({ identity: [identity(allowAll)], session: [] }).decision, 'implicit_deny');
    assert.equal(decide({ identity: [identity(allowAll)] }).decision, 'allowed');
  });
});
