// The real server with its archive in an S3-compatible bucket (s3rver): posted findings reach the bucket in rolling
// objects; with the bucket unreachable the outbox keeps them and /health degrades, and it drains once the bucket is back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { configSchema, type Config } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';
import { findingDoc } from '../fixtures/findings.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../support/s3-server.js';

// The server reaches the bucket with the SDK's default credential chain, which finds these first.
process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
delete process.env.AWS_SESSION_TOKEN;

const KEY = 's3-archive-bootstrap-key-0123456789';
const PREFIX = 'yagura/prod/';
const ROLL_SECONDS = 1;

/** Waits for a condition without a deadline of its own (the test's timeout is the deadline). */
async function until(what: () => Promise<boolean>): Promise<void> {
  while (!(await what())) await sleep(100);
}

describe('the server with an S3 archive', { timeout: 120_000 }, () => {
  let s3: S3Server;
  let dir: string;
  let server: Server;

  /** Finding ids in the bucket's objects, by key. */
  async function archived(): Promise<Map<string, string[]>> {
    const objects = new Map<string, string[]>();
    for (const key of await s3.keys(PREFIX)) {
      objects.set(key, gunzipSync(await s3.read(key)).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id));
    }
    return objects;
  }
  const allIds = async (): Promise<string[]> => [...(await archived()).values()].flat().sort();
  const health = async (): Promise<{ status: string; checks?: { archive?: { lagSeconds: number } } }> =>
    (await fetch(`${server.url}/health`)).json() as Promise<{ status: string; checks?: { archive?: { lagSeconds: number } } }>;
  async function post(docs: Array<Record<string, unknown>>): Promise<void> {
    const res = await fetch(`${server.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(docs) });
    assert.equal(res.status, 200, await res.text());
  }
  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': KEY } })).text();
    // Each series carries the instance's label: `name{instance="host:port"} value`.
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return Number(line?.split(' ').at(-1) ?? NaN);
  }

  /** The server's configuration: its data folder, the bucket as its archive, objects rolled every second. */
  const serverConfig = (): Config =>
    configSchema.parse({
      dataDir: path.join(dir, 'data'),
      port: 0,
      bootstrapKey: KEY,
      logLevel: 'silent',
      archive: { rollSeconds: ROLL_SECONDS, url: `s3://${s3.bucket}/${PREFIX}`, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
    });

  before(async () => {
    s3 = await startS3Server();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-s3-server-'));
    server = await startServer(serverConfig());
  });
  after(async () => {
    await server?.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('posted findings appear in the bucket in rolling objects, in the export layout, each once', async () => {
    await post([
      findingDoc({ id: 'e2e-1' }),
      findingDoc({ id: 'e2e-2' }),
      findingDoc({ id: 'e2e-3', region: 'eu-west-1' }),
      findingDoc({ id: 'e2e-4', accountId: '444455556666' }),
    ]);
    await post([findingDoc({ id: 'e2e-5' })]);
    await until(async () => (await allIds()).length >= 5);
    const objects = await archived();
    for (const key of objects.keys()) assert.match(key, /^yagura\/prod\/AWSLogs\/\d{12}\/GuardDuty\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.jsonl\.gz$/);
    assert.deepEqual(await allIds(), ['e2e-1', 'e2e-2', 'e2e-3', 'e2e-4', 'e2e-5']);
    // One object (or more, if one rolled between the two requests) per account and region.
    const partitions = [...objects.keys()].map((k) => `${k.split('/')[3]}/${k.split('/')[5]}`);
    assert.deepEqual([...new Set(partitions)].sort(), ['111122223333/eu-west-1', '111122223333/us-east-1', '444455556666/us-east-1']);
    await until(async () => (await server.embedded.store.outbox.objects()).length === 0);
    assert.equal((await health()).status, 'ok');
  });

  test('with the bucket unreachable the outbox keeps the findings and /health degrades; once it is back they drain to it', async () => {
    const before = new Set(await s3.keys(PREFIX));
    const failuresBefore = await metric('yagura_archive_failures_total');
    await s3.stop();
    try {
      // Ingest goes on: a 2xx means durable in the store, with the outbox entry in the same transaction.
      await post([findingDoc({ id: 'outage-1' }), findingDoc({ id: 'outage-2', region: 'eu-west-1' })]);
      // Past twice the roll interval, the archive's lag makes the node degraded (still HTTP 200).
      await until(async () => (await health()).status === 'degraded');
      const lag = (await health()).checks!.archive!.lagSeconds;
      assert.ok(lag >= 2 * ROLL_SECONDS, `lag ${lag} s`); // shown rounded to 0.1 s
      await until(async () => (await metric('yagura_archive_failures_total')) > failuresBefore);
      const waiting = await server.embedded.store.outbox.objects();
      assert.equal(waiting.reduce((n, o) => n + o.lines, 0), 2, 'both versions wait in the outbox');
      assert.ok(waiting.every((o) => o.sealedAt !== undefined), 'sealed: their names and lines are fixed');
      await sleep(1000);
      assert.ok((await health()).checks!.archive!.lagSeconds > lag, 'the lag keeps growing');
    } finally {
      await s3.start();
    }
    await until(async () => (await server.embedded.store.outbox.objects()).length === 0);
    const added = [...(await archived())].filter(([key]) => !before.has(key));
    assert.deepEqual(added.flatMap(([, ids]) => ids).sort(), ['outage-1', 'outage-2']);
    assert.equal((await health()).status, 'ok');
    assert.deepEqual((await allIds()).filter((id) => id.startsWith('outage')), ['outage-1', 'outage-2'], 'each once');
  });
  test('a stop and a restart while the bucket is down keep everything, and the outbox drains once it is back', async () => {
    await s3.stop();
    try {
      await post([findingDoc({ id: 'restart-1' })]);
      // A clean stop with the bucket down closes the store and releases the folder; the outbox keeps the version.
      await server.close();
      server = await startServer(serverConfig());
      assert.ok((await server.embedded.store.outbox.objects()).length > 0, 'the start did not need the bucket');
    } finally {
      await s3.start();
    }
    await until(async () => (await server.embedded.store.outbox.objects()).length === 0);
    assert.deepEqual((await allIds()).filter((id) => id.startsWith('restart')), ['restart-1']);
  });
});
