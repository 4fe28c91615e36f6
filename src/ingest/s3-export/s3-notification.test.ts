// S3 event notifications as SQS delivers them: straight from S3, through SNS, test events, and what is not one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExportKey } from './export-key.js';
import { parseNotification } from './s3-notification.js';

const record = (key: string, eventName = 'ObjectCreated:Put') => ({ eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'b' }, object: { key } } });

test('reads the objects of ObjectCreated records, keys decoded, directly or inside an SNS notification', () => {
  const body = JSON.stringify({ Records: [record('AWSLogs/1/a+b%2Bc.jsonl.gz'), record('gone', 'ObjectRemoved:Delete')] });
  assert.deepEqual(parseNotification(body), { kind: 'objects', objects: [{ bucket: 'b', key: 'AWSLogs/1/a b+c.jsonl.gz' }] });
  assert.deepEqual(parseNotification(JSON.stringify({ Type: 'Notification', Message: body })), parseNotification(body));
  assert.deepEqual(parseNotification(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' })), { kind: 'test' });
});

test('anything else is invalid, with the reason', () => {
  assert.equal(parseNotification('not json').kind, 'invalid');
  assert.deepEqual(parseNotification('[]'), { kind: 'invalid', reason: 'the message is not a JSON object' });
  assert.deepEqual(parseNotification('{"Records":[]}'), { kind: 'invalid', reason: 'the message has no Records' });
  assert.equal(parseNotification(JSON.stringify({ Records: [{ eventSource: 'aws:sqs' }] })).kind, 'invalid');
  assert.equal(parseNotification(JSON.stringify({ Records: [record('%E0%A4%A')] })).kind, 'invalid');
  // An SNS notification inside an SNS notification is not opened.
  const nested = JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ Records: [record('k')] }) }) });
  assert.equal(parseNotification(nested).kind, 'invalid');
});

test('export keys name a 12-digit account, a region and a calendar day under the prefix', () => {
  assert.deepEqual(parseExportKey('p/', 'p/AWSLogs/111122223333/GuardDuty/eu-west-1/2026/11/30/x.jsonl.gz'), { accountId: '111122223333', region: 'eu-west-1', day: '2026/11/30' });
  assert.equal(parseExportKey('p/', 'q/AWSLogs/111122223333/GuardDuty/eu-west-1/2026/11/30/x.jsonl.gz'), undefined);
  assert.equal(parseExportKey('', 'AWSLogs/11112222333/GuardDuty/eu-west-1/2026/11/30/x.jsonl.gz'), undefined);
  assert.equal(parseExportKey('', 'AWSLogs/111122223333/GuardDuty/eu-west-1/2026/02/31/x.jsonl.gz'), undefined);
  assert.equal(parseExportKey('', 'AWSLogs/111122223333/GuardDuty/eu-west-1/2026/11/30/deeper/x.jsonl.gz'), undefined);
  assert.equal(parseExportKey('', 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/30/x.json.gz'), undefined);
});
