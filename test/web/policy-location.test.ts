// The policy editor marks the element a validation error names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { elementPath, locateError } from '../../web/src/policy-location.js';

const at = (text: string, message: string): string | undefined => {
  const span = locateError(text, message);
  return span && text.slice(span.offset, span.offset + span.length);
};

describe('policy error location', () => {
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Allow', Action: ['s3:GetObject', 'GetObject'], Resource: '*' },
    { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'a' } } },
  ] }, null, 2);

  test('reads the element path from the message', () => {
    assert.deepEqual(elementPath('Statement[2].Condition: unknown operator "StringEqualz"'), ['Statement', 2, 'Condition']);
    assert.deepEqual(elementPath('identity[0].Statement[1].Action[1]: bad'), ['Statement', 1, 'Action', 1]);
    assert.equal(elementPath('the policy is not valid JSON'), undefined);
  });

  test('marks the unknown operator inside the named statement', () => {
    assert.equal(at(doc, 'Statement[2].Condition: unknown operator "StringEqualz"'), '"StringEqualz": {\n          "aws:username": "a"\n        }');
  });

  test('marks an array item and a whole statement', () => {
    assert.equal(at(doc, 'Statement[1].Action[1]: "GetObject" is not an action'), '"GetObject"');
    assert.match(at(doc, 'Statement[0]: needs Resource or NotResource') ?? '', /^\{\n\s+"Effect": "Allow"/);
  });

  test('Statement as one object is Statement[0]', () => {
    const one = '{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}';
    assert.equal(at(one, 'Statement[0].Effect: must be "Allow" or "Deny"'), '"Effect": "allow"');
  });

  test('an element not in the text gives no place', () => {
    assert.equal(locateError('{"Version": "2012-10-17"}', 'Statement: is missing'), undefined);
  });
});
