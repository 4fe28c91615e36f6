// Every condition operator family against a request context, from the IAM documentation's rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContextValue, RequestContext } from './document.js';
import { evaluate } from './evaluate.js';
import { policyOrThrow } from './validate.js';

const PRINCIPAL = 'arn:aws:iam::111111111111:user/alice';

/** Whether a one-statement Allow policy with this Condition allows a request carrying `context`. */
function holds(condition: Record<string, Record<string, unknown>>, context: RequestContext, version = '2012-10-17'): boolean {
  const policy = policyOrThrow({ Version: version, Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition } }, 'identity');
  return evaluate({ identity: [policy] }, { principal: PRINCIPAL, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context }).decision === 'allowed';
}

type Case = [name: string, operator: string, policyValue: unknown, requestValue: ContextValue | undefined, expected: boolean];

const KEY = 'test:Key';

const CASES: Case[] = [
  // String
  ['StringEquals matches exactly', 'StringEquals', 'Alice', 'Alice', true],
  ['StringEquals is case-sensitive', 'StringEquals', 'Alice', 'alice', false],
  ['StringEquals takes no wildcards', 'StringEquals', 'Al*', 'Alice', false],
  ['StringEquals ORs several policy values', 'StringEquals', ['bob', 'Alice'], 'Alice', true],
  ['StringEquals on a missing key is false', 'StringEquals', 'Alice', undefined, false],
  ['StringNotEquals is true for another value', 'StringNotEquals', 'Alice', 'Bob', true],
  ['StringNotEquals ANDs several policy values', 'StringNotEquals', ['Bob', 'Alice'], 'Alice', false],
  ['StringNotEquals on a missing key is true', 'StringNotEquals', 'Alice', undefined, true],
  ['StringEqualsIgnoreCase ignores case', 'StringEqualsIgnoreCase', 'ALICE', 'alice', true],
  ['StringNotEqualsIgnoreCase ignores case', 'StringNotEqualsIgnoreCase', 'ALICE', 'alice', false],
  ['StringLike with * matches a run', 'StringLike', 'home/*', 'home/alice/x', true],
  ['StringLike with ? matches one character', 'StringLike', 'h?me', 'home', true],
  ['StringLike with ? does not match two', 'StringLike', 'h?me', 'hoome', false],
  ['StringLike is case-sensitive', 'StringLike', 'HOME/*', 'home/a', false],
  ['StringNotLike is true when nothing matches', 'StringNotLike', ['a*', 'b*'], 'cat', true],
  ['StringNotLike on a missing key is true', 'StringNotLike', 'a*', undefined, true],
  ['StringEqualsIfExists on a missing key is true', 'StringEqualsIfExists', 'Alice', undefined, true],
  ['StringEqualsIfExists on a present key still compares', 'StringEqualsIfExists', 'Alice', 'Bob', false],
  ['a number policy value compares as its text', 'StringEquals', 42, '42', true],
  // Numeric
  ['NumericEquals', 'NumericEquals', '10', '10.0', true],
  ['NumericNotEquals', 'NumericNotEquals', '10', '11', true],
  ['NumericLessThan', 'NumericLessThan', 10, '9', true],
  ['NumericLessThan at the bound', 'NumericLessThan', 10, '10', false],
  ['NumericLessThanEquals', 'NumericLessThanEquals', '10', '10', true],
  ['NumericGreaterThan', 'NumericGreaterThan', '10', '11', true],
  ['NumericGreaterThanEquals', 'NumericGreaterThanEquals', '10', '9', false],
  ['Numeric on a non-number request value is false', 'NumericEquals', '10', 'ten', false],
  ['Numeric on a missing key is false', 'NumericGreaterThan', '1', undefined, false],
  ['NumericLessThanIfExists on a missing key is true', 'NumericLessThanIfExists', '1', undefined, true],
  // Date
  ['DateLessThan with ISO 8601', 'DateLessThan', '2027-01-01T00:00:00Z', '2026-12-01T10:00:00Z', true],
  ['DateGreaterThan with ISO 8601', 'DateGreaterThan', '2027-01-01T00:00:00Z', '2026-12-01T10:00:00Z', false],
  ['DateEquals across ISO 8601 and epoch seconds', 'DateEquals', '1796119200', '2026-12-01T10:00:00Z', true],
  ['DateNotEquals', 'DateNotEquals', '2026-12-01T10:00:00Z', '2026-12-01T10:00:01Z', true],
  ['DateLessThanEquals at the bound', 'DateLessThanEquals', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z', true],
  ['DateGreaterThanEquals with an offset', 'DateGreaterThanEquals', '2026-12-01T10:00:00Z', '2026-12-01T11:00:00+01:00', true],
  ['Date on a missing key is false', 'DateLessThan', '2027-01-01T00:00:00Z', undefined, false],
  // Bool
  ['Bool true', 'Bool', 'true', 'true', true],
  ['Bool compares "true" and a boolean', 'Bool', 'true', true, true],
  ['Bool false against true', 'Bool', 'false', 'true', false],
  ['Bool ignores case', 'Bool', 'TRUE', 'true', true],
  ['Bool on a missing key is false', 'Bool', 'false', undefined, false],
  ['BoolIfExists on a missing key is true', 'BoolIfExists', 'true', undefined, true],
  // Binary
  ['BinaryEquals compares the decoded bytes', 'BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=', true],
  ['BinaryEquals with other bytes', 'BinaryEquals', 'QmluYXJ5VmFsdWU=', 'T3RoZXI=', false],
  // IP
  ['IpAddress in an IPv4 CIDR', 'IpAddress', '203.0.113.0/24', '203.0.113.7', true],
  ['IpAddress outside an IPv4 CIDR', 'IpAddress', '203.0.113.0/24', '198.51.100.7', false],
  ['IpAddress with a single address', 'IpAddress', '203.0.113.7', '203.0.113.7', true],
  ['IpAddress in an IPv6 CIDR', 'IpAddress', '2001:db8::/32', '2001:db8:1::7', true],
  ['IpAddress: an IPv4 address is not in an IPv6 range', 'IpAddress', '2001:db8::/32', '203.0.113.7', false],
  ['NotIpAddress outside every range', 'NotIpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '203.0.113.7', true],
  ['NotIpAddress inside one range', 'NotIpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '10.1.2.3', false],
  ['NotIpAddress on a missing key is true', 'NotIpAddress', '10.0.0.0/8', undefined, true],
  ['IpAddress on a request value that is no address', 'IpAddress', '10.0.0.0/8', 'not-an-ip', false],
  // ARN
  ['ArnEquals', 'ArnEquals', 'arn:aws:iam::111111111111:role/r', 'arn:aws:iam::111111111111:role/r', true],
  ['ArnLike with a wildcard account', 'ArnLike', 'arn:aws:iam::*:role/r', 'arn:aws:iam::222222222222:role/r', true],
  ['ArnLike is case-sensitive', 'ArnLike', 'arn:aws:iam::*:role/R', 'arn:aws:iam::222222222222:role/r', false],
  ['ArnLike matches component by component', 'ArnLike', 'arn:aws:sns:*:111111111111:*', 'arn:aws:sns:us-east-1:222222222222:111111111111:x', false],
  ['ArnLike resource part may hold colons', 'ArnLike', 'arn:aws:logs:*:*:log-group:*', 'arn:aws:logs:us-east-1:1:log-group:g:log-stream:s', true],
  ['ArnNotLike', 'ArnNotLike', 'arn:aws:iam::*:role/admin*', 'arn:aws:iam::1:role/reader', true],
  ['ArnNotEquals on a missing key is true', 'ArnNotEquals', 'arn:aws:iam::1:role/r', undefined, true],
  // Null
  ['Null true on a missing key', 'Null', 'true', undefined, true],
  ['Null true on a present key', 'Null', 'true', 'x', false],
  ['Null false on a present key', 'Null', 'false', 'x', true],
  ['Null false on a missing key', 'Null', 'false', undefined, false],
  // Set operators over multivalued keys
  ['ForAnyValue: one request value matching is enough', 'ForAnyValue:StringEquals', ['a', 'b'], ['x', 'b'], true],
  ['ForAnyValue: no request value matching', 'ForAnyValue:StringEquals', ['a', 'b'], ['x', 'y'], false],
  ['ForAnyValue on a missing key is false', 'ForAnyValue:StringEquals', 'a', undefined, false],
  ['ForAnyValue on an empty set is false', 'ForAnyValue:StringEquals', 'a', [], false],
  ['ForAllValues: every request value in the policy set', 'ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
  ['ForAllValues: one request value outside the set', 'ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], false],
  ['ForAllValues on a missing key is true', 'ForAllValues:StringEquals', 'a', undefined, true],
  ['ForAllValues on an empty set is true', 'ForAllValues:StringEquals', 'a', [], true],
  ['ForAllValues with StringLike', 'ForAllValues:StringLike', ['env*', 'team'], ['env-a', 'team'], true],
  ['ForAnyValue:StringNotEquals: some request value outside the policy set', 'ForAnyValue:StringNotEquals', ['a', 'b'], ['a', 'c'], true],
  ['ForAnyValue:StringNotEquals: all request values inside the set', 'ForAnyValue:StringNotEquals', ['a', 'b'], ['a', 'b'], false],
  ['ForAllValues:StringNotEquals: no request value in the policy set', 'ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'd'], true],
  ['ForAllValues:StringNotEquals: one request value in the set', 'ForAllValues:StringNotEquals', ['a', 'b'], ['c', 'a'], false],
  ['ForAnyValue:StringEqualsIfExists on a missing key is true', 'ForAnyValue:StringEqualsIfExists', 'a', undefined, true],
  ['a plain operator on a multivalued key matches any value', 'StringEquals', 'b', ['a', 'b'], true],
];

describe('condition operators', () => {
  for (const [name, operator, policyValue, requestValue, expected] of CASES) {
    test(name, () => {
      const context: RequestContext = requestValue === undefined ? {} : { [KEY]: requestValue };
      assert.equal(holds({ [operator]: { [KEY]: policyValue } }, context), expected);
    });
  }

  test('condition key names compare case-insensitively', () => {
    assert.equal(holds({ StringEquals: { 'AWS:SourceVpc': 'vpc-1' } }, { 'aws:sourcevpc': 'vpc-1' }), true);
  });

  test('keys within an operator and operators within a Condition are ANDed', () => {
    const condition = { StringEquals: { 'test:A': '1', 'test:B': '2' }, Bool: { 'aws:SecureTransport': 'true' } };
    assert.equal(holds(condition, { 'test:A': '1', 'test:B': '2', 'aws:SecureTransport': true }), true);
    assert.equal(holds(condition, { 'test:A': '1', 'test:B': '2', 'aws:SecureTransport': false }), false);
    assert.equal(holds(condition, { 'test:A': '1', 'aws:SecureTransport': true }), false);
  });
});

describe('policy variables in conditions', () => {
  test('${aws:username} takes the request value', () => {
    assert.equal(holds({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, { 's3:prefix': 'home/alice/x', 'aws:username': 'alice' }), true);
    assert.equal(holds({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, { 's3:prefix': 'home/bob/x', 'aws:username': 'alice' }), false);
  });

  test('${aws:PrincipalTag/…} takes the tag, and the variable name is case-insensitive', () => {
    assert.equal(holds({ StringEquals: { 'aws:ResourceTag/team': '${aws:principaltag/team}' } }, { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'red' }), true);
  });

  test('a substituted value is literal: a * in it is no wildcard', () => {
    assert.equal(holds({ StringLike: { 's3:prefix': '${aws:username}' } }, { 's3:prefix': 'anything', 'aws:username': '*' }), false);
  });

  test('${*}, ${?} and ${$} stand for the literal characters', () => {
    assert.equal(holds({ StringLike: { 'test:K': 'a${*}b' } }, { 'test:K': 'a*b' }), true);
    assert.equal(holds({ StringLike: { 'test:K': 'a${*}b' } }, { 'test:K': 'axxb' }), false);
    assert.equal(holds({ StringEquals: { 'test:K': '${?}${$}' } }, { 'test:K': '?$' }), true);
  });

  test('a variable without a value makes the condition false, unless it has a default', () => {
    assert.equal(holds({ StringEquals: { 'test:K': '${aws:username}' } }, { 'test:K': '' }), false);
    assert.equal(holds({ StringNotEquals: { 'test:K': '${aws:username}' } }, { 'test:K': 'x' }), false);
    assert.equal(holds({ StringEquals: { 'test:K': "${aws:username, 'nobody'}" } }, { 'test:K': 'nobody' }), true);
  });

  test('a multivalued key cannot fill a variable', () => {
    assert.equal(holds({ StringEquals: { 'test:K': '${test:Many}' } }, { 'test:K': 'a', 'test:Many': ['a', 'b'] }), false);
  });

  test('2008-10-17 documents take ${…} literally', () => {
    assert.equal(holds({ StringEquals: { 'test:K': '${aws:username}' } }, { 'test:K': '${aws:username}', 'aws:username': 'alice' }, '2008-10-17'), true);
    assert.equal(holds({ StringEquals: { 'test:K': '${aws:username}' } }, { 'test:K': 'alice', 'aws:username': 'alice' }, '2008-10-17'), false);
  });
});
