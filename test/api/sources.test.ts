// The server runs its configured collectors and shows every source's state at GET /api/v1/sources: here an
// S3-export source notified through SQS (s3rver and a minimal SQS endpoint, the real SDK) beside the push source.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema } from '../../src/config/schema.js';
import { dayBefore } from '../../src/ingest/s3-export/export-key.js';
import type { SourceHealth } from '../../src/ingest/source-health.js';
import { startServer, type Server } from '../../src/main.js';
import { findingDoc } from '../fixtures/findings.js';
import { exportKey, gz, PREFIX, put } from '../ingest/s3-export-support.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { startSqsServer, type SqsServer } from '../support/sqs-server.js';

const KEY = 'sources-bootstrap-key-0123456789abcdef';

describe('GET /api/v1/sources on a server collecting an S3 export', { timeout: 120_000 }, () => {
  let s3: S3Server;
  let sqs: SqsServer;
  let dir: string;
  let server: Server;
  const get = async (query = ''): Promise<Response> => fetch(`${server.url}/api/v1/sources${query}`, { headers: { 'x-api-key': KEY } });
  const sources = async (): Promise<SourceHealth[]> => ((await (await get()).json()) as { sources: SourceHealth[] }).sources;

  before(async () => {
    s3 = await startS3Server('served-export');
    sqs = await startSqsServer();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-sources-'));
    server = await startServer(
      configSchema.parse({
        dataDir: path.join(dir, 'data'),
        port: 0,
        bootstrapKey: KEY,
        logLevel: 'silent',
        sources: { s3Export: [{ bucket: s3.bucket, prefix: PREFIX, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, queueUrl: sqs.queueUrl }] },
      }),
    );
  });
  after(async () => {
    await server?.close();
    await sqs.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a notified export object becomes searchable, and both sources report what they received per account and region', async () => {
    const key = exportKey(dayBefore(Date.now(), 0), 'served');
    await put(s3, key, gz([findingDoc({ id: 'from-export' })]));
    sqs.send(JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: s3.bucket }, object: { key } } }] }));
    const pushed = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify(findingDoc({ id: 'from-push', accountId: '444455556666', region: 'eu-west-1' })),
    });
    assert.equal(pushed.status, 200);
    for (;;) {
      const search = (await (await fetch(`${server.url}/api/v1/findings?q=${encodeURIComponent('id:"from-export"')}`, { headers: { 'x-api-key': KEY } })).json()) as { total: number };
      if (search.total === 1) break;
      await sleep(100);
    }
    while (sqs.messages().length > 0) await sleep(50);
    const list = await sources();
    assert.deepEqual(list.map((s) => [s.id, s.kind]), [
      ['eventbridge-http', 'eventbridge-http'],
      [`s3-export:${s3.bucket}/${PREFIX}`, 's3-export'],
    ]);
    const [http, exported] = list as [SourceHealth, SourceHealth];
    assert.equal(http.state, 'running');
    assert.deepEqual(http.partitions.map((p) => [p.accountId, p.region, p.findings]), [['444455556666', 'eu-west-1', 1]]);
    assert.equal(exported.state, 'running');
    assert.match(exported.description, new RegExp(`s3://${s3.bucket}/${PREFIX} \\(us-east-1\\), notified through`));
    assert.deepEqual([exported.counts.created, exported.counts.objects], [1, 1]);
    assert.deepEqual(exported.partitions.map((p) => [p.accountId, p.region, p.findings]), [['111122223333', 'us-east-1', 1]]);
    assert.equal(typeof exported.partitions[0]?.lastObjectAt, 'number');
  });

  test('filters by kind and state, and refuses a state it does not know', async () => {
    const only = (await (await get('?kind=s3-export')).json()) as { sources: SourceHealth[] };
    assert.deepEqual(only.sources.map((s) => s.kind), ['s3-export']);
    assert.deepEqual(((await (await get('?state=failing')).json()) as { sources: SourceHealth[] }).sources, []);
    const bad = await get('?state=asleep');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_PARAMETER');
  });

  test('needs a credential', async () => {
    const res = await fetch(`${server.url}/api/v1/sources`);
    assert.equal(res.status, 401);
  });
});
