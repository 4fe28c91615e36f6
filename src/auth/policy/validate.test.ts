// Bad policy documents are refused with a problem that names the statement and the element.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../../test/fuzz/settings.js';
import { evaluate } from './evaluate.js';
import type { PolicyKind } from './document.js';
import { POLICY_LIMITS } from './limits.js';
import { parsePolicy, validatePolicy } from './validate.js';

const OK = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

function firstProblem(input: unknown, kind: PolicyKind = 'identity'): string {
  const result = validatePolicy(input, kind);
  assert.equal(result.ok, false, 'expected the policy to be refused');
  return result.ok ? '' : result.problems[0]!;
}

const doc = (...statements: unknown[]): unknown => ({ Version: '2012-10-17', Statement: statements });

describe('policy validation', () => {
  test('accepts a statement object or an array, and both IAM versions', () => {
    assert.equal(validatePolicy({ Version: '2012-10-17', Statement: OK }, 'identity').ok, true);
    assert.equal(validatePolicy({ Version: '2008-10-17', Statement: [OK, OK] }, 'identity').ok, true);
  });

  const cases: Array<[string, unknown, string, PolicyKind?]> = [
    ['an unknown operator', doc(OK, OK, { ...OK, Condition: { StringEqualz: { 'aws:username': 'a' } } }), 'Statement[2].Condition: unknown operator "StringEqualz"'],
    ['a non-object document', [OK], 'Policy: a policy document must be a JSON object'],
    ['an unknown top-level element', { Version: '2012-10-17', Statement: OK, Foo: 1 }, 'Policy: unknown element "Foo"'],
    ['an unknown statement element', doc({ ...OK, Actions: 'x:y' }), 'Statement[0]: unknown element "Actions"'],
    ['a Version other than the two IAM versions', { Version: '2012-10-18', Statement: OK }, 'Version: "2012-10-18" is not an IAM policy version (use "2012-10-17" or "2008-10-17")'],
    ['no Statement', { Version: '2012-10-17' }, 'Statement: a policy needs a Statement'],
    ['an empty Statement array', doc(), 'Statement: a policy needs at least one statement'],
    ['an empty statement', doc({}), 'Statement[0]: the statement is empty (it needs Effect, Action and Resource)'],
    ['a bad Effect', doc({ ...OK, Effect: 'allow' }), 'Statement[0].Effect: must be "Allow" or "Deny"'],
    ['both Action and NotAction', doc({ ...OK, NotAction: 'x:y' }), 'Statement[0]: has both Action and NotAction; use one'],
    ['no Action', doc({ Effect: 'Allow', Resource: '*' }), 'Statement[0]: needs Action or NotAction'],
    ['no Resource in an identity policy', doc({ Effect: 'Allow', Action: '*' }), 'Statement[0]: needs Resource or NotResource'],
    ['an action without a service', doc({ ...OK, Action: ['s3:GetObject', 'GetObject'] }), 'Statement[0].Action[1]: "GetObject" is not an action (write service:ActionName, wildcards allowed, or "*")'],
    ['an empty Action list', doc({ ...OK, Action: [] }), 'Statement[0].Action: must be a string or a non-empty array of strings'],
    ['a resource that is no ARN', doc({ ...OK, Resource: 'bucket/key' }), 'Statement[0].Resource: "bucket/key" is not an ARN (arn:partition:service:region:account:resource) or "*"'],
    ['a variable that does not close', doc({ ...OK, Resource: 'arn:aws:s3:::b/${aws:username/*' }), 'Statement[0].Resource: the policy variable "${aws:username/*" does not close with "}"'],
    ['a condition variable that does not close', doc({ ...OK, Condition: { StringLike: { 's3:prefix': '${aws:username' } } }), 'Statement[0].Condition.StringLike["s3:prefix"]: the policy variable "${aws:username" does not close with "}"'],
    ['a Principal in an identity policy', doc({ ...OK, Principal: '*' }), 'Statement[0].Principal: an identity policy cannot name a principal (only resource policies do)'],
    ['no Principal in a resource policy', doc(OK), 'Statement[0]: needs Principal or NotPrincipal', 'resource'],
    ['an unknown principal type', doc({ ...OK, Principal: { User: 'alice' } }), 'Statement[0].Principal: unknown principal type "User" (use AWS, Service, Federated or CanonicalUser)', 'resource'],
    ['a wildcard inside a principal ARN', doc({ ...OK, Principal: { AWS: 'arn:aws:iam::111111111111:user/*' } }), 'Statement[0].Principal.AWS: "arn:aws:iam::111111111111:user/*" is not "*", an account id or an IAM principal ARN (no wildcards)', 'resource'],
    ['a condition nested deeper than IAM allows', doc({ ...OK, Condition: { StringEquals: { 'aws:username': { deeper: ['a'] } } } }), 'Statement[0].Condition.StringEquals["aws:username"]: a condition value must be a string, number or boolean, or a non-empty array of them (at most 1000), not nested further'],
    ['an array nested in a condition value', doc({ ...OK, Condition: { StringEquals: { 'aws:username': [['a']] } } }), 'Statement[0].Condition.StringEquals["aws:username"]: a condition value must be a string, number or boolean, or a non-empty array of them (at most 1000), not nested further'],
    ['an operator holding no object', doc({ ...OK, Condition: { StringEquals: 'a' } }), 'Statement[0].Condition.StringEquals: must be an object of condition keys and values'],
    ['a condition key without a service', doc({ ...OK, Condition: { StringEquals: { username: 'a' } } }), 'Statement[0].Condition.StringEquals["username"]: a condition key is written service:name, e.g. aws:SourceIp'],
    ['a Numeric value that is no number', doc({ ...OK, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), 'Statement[0].Condition.NumericLessThan["s3:max-keys"]: "ten" is not a number'],
    ['a Date value that is no date', doc({ ...OK, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'Statement[0].Condition.DateLessThan["aws:CurrentTime"]: "tomorrow" is not a date (ISO 8601, e.g. 2026-12-01T10:00:00Z, or epoch seconds)'],
    ['a Bool value that is no boolean', doc({ ...OK, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }), 'Statement[0].Condition.Bool["aws:SecureTransport"]: "yes" is not "true" or "false"'],
    ['a bad CIDR', doc({ ...OK, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }), 'Statement[0].Condition.IpAddress["aws:SourceIp"]: "10.0.0.0/33" is not an IP address or CIDR range'],
    ['a BinaryEquals value that is no base64', doc({ ...OK, Condition: { BinaryEquals: { 'test:k': 'not base64!' } } }), 'Statement[0].Condition.BinaryEquals["test:k"]: "not base64!" is not base64'],
    ['an operator in the wrong case (IAM refuses it too)', doc({ ...OK, Condition: { stringEquals: { 'aws:username': 'a' } } }), 'Statement[0].Condition: unknown operator "stringEquals"'],
    ['IfExists on Null', doc({ ...OK, Condition: { NullIfExists: { 'test:k': 'true' } } }), 'Statement[0].Condition: unknown operator "NullIfExists"'],
    ['an unknown set qualifier', doc({ ...OK, Condition: { 'ForSomeValues:StringEquals': { 'test:k': 'a' } } }), 'Statement[0].Condition: unknown operator "ForSomeValues:StringEquals"'],
    ['a prototype name as operator', doc({ ...OK, Condition: { constructor: { 'test:k': 'a' } } }), 'Statement[0].Condition: unknown operator "constructor"'],
    ['a duplicate Sid', doc({ ...OK, Sid: 'A' }, { ...OK, Sid: 'A' }), 'Statement[1].Sid: "A" is used by an earlier statement; Sids must be unique'],
    ['a Sid with punctuation in an identity policy', doc({ ...OK, Sid: 'read-all' }), 'Statement[0].Sid: "read-all" must be letters and digits only in an identity policy'],
    ['10,000 statements', doc(...Array.from({ length: 10_000 }, () => OK)), `Statement: 10000 statements is over the limit of ${POLICY_LIMITS.maxStatements}`],
  ];
  for (const [name, input, message, kind] of cases) {
    test(`refuses ${name}, naming the element`, () => assert.equal(firstProblem(input, kind), message));
  }

  test('refuses an identity policy over IAM\'s 6,144-byte limit, and allows a resource policy up to 10,240', () => {
    const big = doc({ ...OK, Resource: Array.from({ length: 160 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${i}/*`) });
    assert.match(firstProblem(big), /^Policy: the document is \d+ bytes without whitespace, over the 6144-byte limit for identity policies$/);
    assert.equal(validatePolicy({ Version: '2012-10-17', Statement: { ...OK, Principal: '*', Resource: Array.from({ length: 160 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${i}/*`) } }, 'resource').ok, true);
  });

  test('whitespace does not count toward the size limit', () => {
    const spaced = JSON.stringify(doc({ ...OK, Resource: Array.from({ length: 120 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }), null, 60);
    assert.ok(Buffer.byteLength(spaced) > POLICY_LIMITS.maxIdentityPolicyBytes);
    assert.equal(parsePolicy(spaced, 'identity').ok, true);
  });

  test('refuses hostile nesting without overflowing the stack, naming where it goes too deep', () => {
    const deep = JSON.parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}}`) as unknown;
    assert.equal(firstProblem(deep), `Statement.Condition.StringEquals["a:b"][0][0][0]: nested deeper than a policy can be (${POLICY_LIMITS.maxDepth} levels of JSON)`);
  });

  test('refuses malformed JSON text', () => {
    const result = parsePolicy('{"Version": "2012-10-17", "Statement": [', 'identity');
    assert.deepEqual(result, { ok: false, problems: ['Policy: the document is not valid JSON'] });
  });

  test('2008-10-17 takes ${ literally, so an unclosed one is no error there', () => {
    assert.equal(validatePolicy({ Version: '2008-10-17', Statement: { ...OK, Resource: 'arn:aws:s3:::b/${x' } }, 'identity').ok, true);
  });

  test('lists every problem, not only the first', () => {
    const result = validatePolicy(doc({ Effect: 'Maybe', Action: 'nope', Resource: '*' }, { ...OK, Condition: { Foo: {} } }), 'identity');
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.problems, [
      'Statement[0].Effect: must be "Allow" or "Deny"',
      'Statement[0].Action: "nope" is not an action (write service:ActionName, wildcards allowed, or "*")',
      'Statement[1].Condition: unknown operator "Foo"',
    ]);
  });

  test('accepts an OIDC provider\'s condition keys, prefixed with the issuer\'s host and path as IAM writes them', () => {
    const trust = { Effect: 'Allow', Principal: { Federated: 'arn:yagura:iam:::oidc-provider/kc.example.com/realms/x' }, Action: 'sts:AssumeRoleWithWebIdentity' };
    assert.equal(validatePolicy(doc({ ...trust, Condition: { StringEquals: { 'kc.example.com/realms/x:sub': 'a', 'oidc.eks.us-east-1.amazonaws.com/id/ABC:aud': 'b' } } }), 'resource').ok, true);
    assert.match(firstProblem(doc({ ...trust, Condition: { StringEquals: { 'kc.example.com/:sub': 'a' } } }), 'resource'), /a condition key is written service:name/);
  });

  test('a resource policy may leave Resource out (it covers the resource it is attached to)', () => {
    assert.equal(validatePolicy(doc({ Effect: 'Allow', Action: '*', Principal: { AWS: '111111111111' } }), 'resource').ok, true);
  });

  test('any JSON, policy-shaped or not, is either a valid policy that evaluates or a list of problems; never a throw', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const element = fc.oneof(value, fc.constantFrom('*', 's3:Get*', 'arn:aws:s3:::b/${aws:username}', '${', 'Allow', 'Deny', ['a:b', 'c:*']));
    const condition = fc.dictionary(
      fc.constantFrom('StringLike', 'ForAllValues:StringNotEquals', 'NumericLessThanIfExists', 'DateGreaterThan', 'Bool', 'IpAddress', 'ArnLike', 'Null', 'BinaryEquals', 'Nope'),
      fc.dictionary(fc.constantFrom('aws:SourceIp', 'test:k', 'bad'), element),
    );
    const statement = fc.record(
      { Sid: element, Effect: element, Action: element, NotAction: element, Resource: element, Principal: fc.oneof(element, fc.constant({ AWS: '111111111111' })), Condition: fc.oneof(condition, value) },
      { requiredKeys: [] },
    );
    const policy = fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'), Statement: fc.oneof(statement, fc.array(statement, { maxLength: 3 }), value) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(policy, value), fc.constantFrom<PolicyKind>('identity', 'resource'), (input, kind) => {
        const result = validatePolicy(input, kind);
        if (!result.ok) return result.problems.length > 0 && result.problems.every((p) => /^(Policy|Version|Id|Statement)/.test(p));
        const decision = evaluate(kind === 'identity' ? { identity: [result.policy] } : { identity: [], resource: result.policy }, {
          principal: 'arn:aws:iam::111111111111:user/alice',
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::b/alice/k',
          context: { 'aws:SourceIp': '203.0.113.7', 'test:k': ['a', 'b'], 'aws:username': 'alice' },
        });
        return ['allowed', 'explicit_deny', 'implicit_deny'].includes(decision.decision);
      }),
      fuzzParameters(),
    );
  });
});
