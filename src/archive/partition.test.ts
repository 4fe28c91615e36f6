// The archive's partitions: account, region and the UTC day a version arrived; names that sort by opening time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archivePartition, objectName, partitionId } from './partition.js';

const KEY = { accountId: '111122223333', region: 'eu-west-1', id: 'f1' };

test('puts a version in the partition of its account, region and UTC day of arrival', () => {
  const late = archivePartition(KEY, Date.parse('2026-03-01T23:59:59.999Z'));
  const early = archivePartition(KEY, Date.parse('2026-03-02T00:00:00Z'));
  assert.deepEqual(late, { accountId: '111122223333', region: 'eu-west-1', day: '2026/03/01' });
  assert.equal(early.day, '2026/03/02');
  assert.notEqual(partitionId(late), partitionId(early));
});

test('names objects by their opening time, never twice the same', () => {
  const at = Date.parse('2026-03-01T10:20:30.456Z');
  const a = objectName(at);
  assert.match(a, /^20260301T102030Z-[0-9a-f-]{36}$/);
  assert.notEqual(objectName(at), a);
  assert.ok(objectName(at + 1000) > a, 'a later object sorts after');
});
