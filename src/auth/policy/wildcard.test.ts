// IAM wildcards: the matcher agrees with the recursive definition of * and ?, and ARNs match component-wise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../../test/fuzz/settings.js';
import { matchArn } from './arn.js';
import { globOf, matchGlob } from './wildcard.js';

/** The definition: `*` matches any run (also empty), `?` exactly one character, anything else itself. */
function defined(pattern: string, value: string): boolean {
  if (pattern === '') return value === '';
  const [head, rest] = [pattern[0], pattern.slice(1)];
  if (head === '*') return defined(rest, value) || (value !== '' && defined(pattern, value.slice(1)));
  if (value === '') return false;
  return (head === '?' || head === value[0]) && defined(rest, value.slice(1));
}

describe('wildcards', () => {
  test('a wildcard pattern matches exactly what the definition of * and ? says', () => {
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 8 });
    const value = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 10 });
    fc.assert(fc.property(pattern, value, (p, v) => matchGlob(globOf(p), v) === defined(p, v)), fuzzParameters());
  });

  test('without wildcards, * and ? are literal', () => {
    assert.equal(matchGlob(globOf('a*', false), 'a*'), true);
    assert.equal(matchGlob(globOf('a*', false), 'abc'), false);
  });

  test('ignoring case, as for actions', () => {
    assert.equal(matchGlob(globOf('S3:get*'), 's3:GetObject', true), true);
    assert.equal(matchGlob(globOf('S3:get*'), 's3:GetObject'), false);
  });

  test('a pattern with many stars against a long value stays quick (no backtracking blow-up)', () => {
    // A backtracking regex takes exponential time here; the two-pointer matcher is quadratic at worst.
    assert.equal(matchGlob(globOf('*a*a*a*a*a*a*a*a*a*a*b'), 'a'.repeat(5000)), false);
  });

  test('ARN patterns match one component at a time; the last holds the rest', () => {
    assert.equal(matchArn(globOf('arn:aws:s3:::bucket/*'), 'arn:aws:s3:::bucket/a/b:c'), true);
    assert.equal(matchArn(globOf('arn:aws:ec2:*:111111111111:instance/*'), 'arn:aws:ec2:us-east-1:111111111111:instance/i-1'), true);
    assert.equal(matchArn(globOf('arn:aws:ec2:*:111111111111:instance/*'), 'arn:aws:ec2:us-east-1:222222222222:instance/111111111111:instance/x'), false);
    assert.equal(matchArn(globOf('*'), 'arn:aws:s3:::anything'), true);
    assert.equal(matchArn(globOf('arn:aws:s3:::bucket'), 'arn:aws:s3:::Bucket'), false);
  });
});
