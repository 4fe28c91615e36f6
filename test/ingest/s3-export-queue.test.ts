// Continuous S3-export collection with a queue: S3 event notifications through a minimal SQS-compatible endpoint
// (test/support/sqs-server.ts) reached by the real @aws-sdk/client-sqs, objects in s3rver, the real store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Finding } from '../../src/findings/finding.js';
import { buildClients, type SourceClients } from '../../src/ingest/s3-export/aws-clients.js';
import { dayBefore } from '../../src/ingest/s3-export/export-key.js';
import { QueueCollector, type QueueSettings } from '../../src/ingest/s3-export/queue-collector.js';
import { s3ExportSourceId } from '../../src/ingest/s3-export/s3-export-config.js';
import { SourceHealthRecorder } from '../../src/ingest/source-health.js';
import type { UpsertOutcome } from '../../src/store/finding-store.js';
import { findingDoc } from '../fixtures/findings.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { startSqsServer, type SqsServer } from '../support/sqs-server.js';
import { dataFolder, exportKey, gz, memoryLog, PREFIX, put, sourceConfig, type Folder } from './s3-export-support.js';

const TODAY = dayBefore(Date.now(), 0);

/** An S3 event notification as S3 sends it to SQS (keys URL-encoded, spaces as +). */
function notification(bucket: string, ...keys: string[]): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+'), size: 100 } },
    })),
  });
}

interface Running {
  readonly collector: QueueCollector;
  readonly health: SourceHealthRecorder;
  readonly clients: SourceClients;
}

function collector(folder: Folder, s3: S3Server, sqs: SqsServer, settings: Partial<QueueSettings> = {}): Running {
  const config = sourceConfig(s3, { queueUrl: sqs.queueUrl });
  const clients = buildClients(config, sqs.queueUrl);
  const id = s3ExportSourceId(config);
  const health = new SourceHealthRecorder(id, 's3-export', 'test');
  const ctx = { sourceId: id, s3: clients.s3, bucket: config.bucket, pipeline: folder.embedded.pipeline, health, log: memoryLog(), maxObjectBytes: config.maxObjectBytes };
  const queue: QueueSettings = { queueUrl: sqs.queueUrl, prefix: PREFIX, visibilityTimeoutSeconds: 30, maxReceiveCount: 3, waitTimeSeconds: 1, ...settings };
  return { collector: new QueueCollector(ctx, clients.sqs!, folder.embedded.backend.sourceState, queue), health, clients };
}

async function stored(folder: Folder, id: string): Promise<boolean> {
  return (await folder.embedded.store.get({ accountId: '111122223333', region: 'us-east-1', id })) !== undefined;
}

describe('S3-export collection through SQS notifications', { timeout: 120_000 }, () => {
  let s3: S3Server;
  let sqs: SqsServer;
  let folder: Folder;
  before(async () => {
    s3 = await startS3Server('export-notified');
    sqs = await startSqsServer();
    folder = await dataFolder();
  });
  after(async () => {
    await folder.close();
    await sqs.close();
    await s3.close();
  });

  test('stores the objects a notification names and deletes the message only once their findings are durable', async () => {
    const key = exportKey(TODAY, 'first object');
    await put(s3, key, gz([findingDoc({ id: 'q1' }), findingDoc({ id: 'q2' })]));
    sqs.send(notification(s3.bucket, key));
    // The store's commit is held until the test lets it go: the message must stay on the queue meanwhile.
    const pipeline = folder.embedded.pipeline;
    const submit = pipeline.submit.bind(pipeline);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let submitted = false;
    pipeline.submit = async (findings: readonly Finding[]): Promise<UpsertOutcome[]> => {
      submitted = true;
      await held;
      return submit(findings);
    };
    const run = collector(folder, s3, sqs);
    try {
      const polled = run.collector.poll();
      while (!submitted) await sleep(10);
      assert.equal(sqs.messages().length, 1, 'not deleted before its findings are stored');
      assert.equal(sqs.calls('DeleteMessage'), 0);
      release();
      assert.deepEqual(await polled, { ok: true, outcomes: ['deleted'] });
      assert.equal(sqs.messages().length, 0);
      assert.ok((await stored(folder, 'q1')) && (await stored(folder, 'q2')));
      const health = run.health.snapshot();
      assert.equal(health.state, 'running');
      assert.deepEqual([health.counts.created, health.counts.objects], [2, 1]);
      assert.equal(sqs.unsigned, 0, 'every request was signed by the SDK');
    } finally {
      pipeline.submit = submit;
      run.clients.destroy();
    }
  });

  test('a message that is not an S3 notification is parked with its reason and coded in health; the next message is still read', async () => {
    const key = exportKey(TODAY, 'after-poison');
    await put(s3, key, gz([findingDoc({ id: 'after-poison' })]));
    const poison = sqs.send('{"hello": "this is not an S3 event"}');
    sqs.send(notification(s3.bucket, key));
    const run = collector(folder, s3, sqs);
    try {
      const polled = await run.collector.poll();
      assert.deepEqual(polled.outcomes.sort(), ['deleted', 'parked']);
      assert.equal(sqs.messages().length, 0);
      assert.ok(await stored(folder, 'after-poison'));
      const parked = await folder.embedded.backend.sourceState.parked(run.health.id, 10);
      assert.equal(parked[0]?.messageId, poison);
      assert.equal(parked[0]?.code, 'NOT_S3_NOTIFICATION');
      assert.equal(parked[0]?.body, '{"hello": "this is not an S3 event"}');
      const health = run.health.snapshot();
      assert.equal(health.state, 'degraded');
      assert.equal(health.errors[0]?.code, 'NOT_S3_NOTIFICATION');
      assert.equal(health.errors[0]?.ref, poison);
    } finally {
      run.clients.destroy();
    }
  });

  test('an object refused for its content parks its message; an S3 test event and removals are acknowledged', async () => {
    const bad = exportKey(TODAY, 'not-gzip');
    await put(s3, bad, 'plain text, not gzip');
    const badMessage = sqs.send(notification(s3.bucket, bad));
    sqs.send(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-12-01T00:00:00.000Z', Bucket: s3.bucket }));
    sqs.send(JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: s3.bucket }, object: { key: bad } } }] }));
    const run = collector(folder, s3, sqs);
    try {
      const polled = await run.collector.poll();
      assert.deepEqual(polled.outcomes.sort(), ['deleted', 'deleted', 'parked']);
      const parked = await folder.embedded.backend.sourceState.parked(run.health.id, 10);
      assert.equal(parked.find((p) => p.messageId === badMessage)?.code, 'NOT_GZIP');
      assert.equal(run.health.snapshot().errors[0]?.code, 'NOT_GZIP');
    } finally {
      run.clients.destroy();
    }
  });

  test('an object that cannot be read now leaves its message on the queue, received again, and parked after maxReceiveCount receives', async () => {
    const missing = exportKey(TODAY, 'never-written');
    const id = sqs.send(notification(s3.bucket, missing));
    const run = collector(folder, s3, sqs, { maxReceiveCount: 2 });
    try {
      assert.deepEqual((await run.collector.poll()).outcomes, ['retry']);
      assert.equal(sqs.messages()[0]?.receiveCount, 1);
      assert.equal(run.health.snapshot().errors[0]?.code, 'OBJECT_GONE');
      sqs.lapse();
      assert.deepEqual((await run.collector.poll()).outcomes, ['parked']);
      assert.equal(sqs.messages().length, 0);
      const parked = await folder.embedded.backend.sourceState.parked(run.health.id, 10);
      const entry = parked.find((p) => p.messageId === id);
      assert.equal(entry?.code, 'RECEIVES_EXHAUSTED');
      assert.match(entry!.reason, /received 2 times.*OBJECT_GONE/);
    } finally {
      run.clients.destroy();
    }
  });

  test('a message is kept invisible while its objects are read for longer than the visibility timeout', async () => {
    const key = exportKey(TODAY, 'slow');
    await put(s3, key, gz([findingDoc({ id: 'slow1' })]));
    sqs.send(notification(s3.bucket, key));
    const pipeline = folder.embedded.pipeline;
    const submit = pipeline.submit.bind(pipeline);
    // Storing takes 2.5 visibility timeouts of one second.
    pipeline.submit = async (findings: readonly Finding[]): Promise<UpsertOutcome[]> => {
      await sleep(2500);
      return submit(findings);
    };
    const run = collector(folder, s3, sqs, { visibilityTimeoutSeconds: 1 });
    const other = collector(folder, s3, sqs);
    try {
      const before = sqs.calls('ChangeMessageVisibility');
      const polled = run.collector.poll();
      await sleep(1800);
      // Another consumer polling now finds nothing: the message is still in flight.
      assert.deepEqual((await other.collector.poll()).outcomes, []);
      assert.deepEqual((await polled).outcomes, ['deleted']);
      assert.ok(sqs.calls('ChangeMessageVisibility') - before >= 2, 'the visibility timeout was extended');
      assert.ok(await stored(folder, 'slow1'));
    } finally {
      pipeline.submit = submit;
      run.clients.destroy();
      other.clients.destroy();
    }
  });

  test('a queue that does not exist makes the source failing with a coded error', async () => {
    const config = sourceConfig(s3, { queueUrl: `${sqs.queueUrl}-missing` });
    const clients = buildClients(config, config.queueUrl);
    const health = new SourceHealthRecorder('q', 's3-export', 'test');
    const ctx = { sourceId: 'q', s3: clients.s3, bucket: config.bucket, pipeline: folder.embedded.pipeline, health, log: memoryLog(), maxObjectBytes: 1024 * 1024 };
    const queue = new QueueCollector(ctx, clients.sqs!, folder.embedded.backend.sourceState, { queueUrl: config.queueUrl!, prefix: PREFIX, visibilityTimeoutSeconds: 30, maxReceiveCount: 3, waitTimeSeconds: 1 });
    try {
      assert.deepEqual(await queue.poll(), { ok: false, outcomes: [] });
      assert.equal(health.snapshot().state, 'failing');
      assert.equal(health.snapshot().errors[0]?.code, 'NO_SUCH_QUEUE');
    } finally {
      clients.destroy();
    }
  });
});
