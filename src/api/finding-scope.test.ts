// Which Resource patterns count as "every finding": only those that cannot leave any finding ARN out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coversAllFindings } from './finding-scope.js';

test('wildcards over every component, or GuardDuty finding ARNs in every partition, region and account, cover all findings', () => {
  for (const p of ['*', '**', 'arn:*', 'arn:*:*', 'arn:*:guardduty:*', 'arn:*:guardduty:*:*', 'arn:*:guardduty:*:*:*', 'arn:*:guardduty:*:*:detector/*', 'arn:*:guardduty:*:*:detector/*/finding/*', 'arn:*:*:*:*:*']) {
    assert.equal(coversAllFindings(p), true, p);
  }
});

test('a named partition, region, account, detector or finding, a ? or a policy variable does not', () => {
  for (const p of [
    'arn:aws:guardduty:*:*:*',
    'arn:*:guardduty:us-east-1:*:*',
    'arn:*:guardduty:*:111111111111:*',
    'arn:*:guardduty:*:*:detector/d1/finding/*',
    'arn:*:guardduty:*:*:detector/*/finding/abc*',
    'arn:*:guardduty:*:*:detector/*/finding/?',
    'arn:*:guardduty:*:${aws:PrincipalTag/account}:*',
    'arn:*:s3:*:*:*',
    'arn:yagura:alerts:::rule/*',
  ]) {
    assert.equal(coversAllFindings(p), false, p);
  }
});
