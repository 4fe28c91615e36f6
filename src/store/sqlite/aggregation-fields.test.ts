// The catalogue field resourceId: the affected resource's identifier, chosen by resource type.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { normalizeFinding } from '../../findings/normalize.js';
import type { Finding } from '../../findings/finding.js';
import { parseQuery } from '../../query/parser.js';
import { SqliteStore } from './sqlite-store.js';

function finding(id: string, resource: Record<string, unknown>): Finding {
  const r = normalizeFinding({
    accountId: '111122223333', region: 'us-east-1', id, type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5,
    createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', resource, service: { count: 1 },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.finding;
}

test('aggregates the most affected resources by their identifier, whatever the resource type', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-agg-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  try {
    await store.upsert([
      finding('a', { resourceType: 'Instance', instanceDetails: { instanceId: 'i-1' } }),
      finding('b', { resourceType: 'Instance', instanceDetails: { instanceId: 'i-1' } }),
      // An S3 finding also names the caller's access key: the bucket is the affected resource.
      finding('c', { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'logs' }], accessKeyDetails: { accessKeyId: 'AKIA1' } }),
      finding('d', { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIA1' } }),
      finding('e', { resourceType: 'EKSCluster', eksClusterDetails: { name: 'prod' } }),
      finding('f', { resourceType: 'Unknown' }),
    ], Date.parse('2026-11-02T00:00:00Z'));
    const result = await store.aggregate({ query: parseQuery(''), aggs: { top: { terms: { field: 'resourceId', size: 10 } } } });
    const top = result.aggregations['top'] as unknown as { buckets: Array<{ key: string; doc_count: number }> };
    assert.deepEqual(top.buckets.map((b) => [b.key, b.doc_count]), [['i-1', 2], ['AKIA1', 1], ['logs', 1], ['prod', 1]]);
    const bucket = await store.search({ query: parseQuery('resourceId:logs'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.deepEqual(bucket.findings.map((f) => f.key.id), ['c'], 'a bucket is also a filter');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
