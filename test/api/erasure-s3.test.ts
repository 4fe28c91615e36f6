// Erasure with the archive in an S3-compatible bucket (s3rver, reached by the real AWS SDK): the objects that held
// an erased finding are rewritten without its lines (or deleted when nothing else is left in them), a whole
// account's objects are deleted, and every other line stays in the bucket exactly once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../support/s3-server.js';

process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
delete process.env.AWS_SESSION_TOKEN;

const KEY = 'erasure-s3-bootstrap-key-0123456789';
const PREFIX = 'yagura/';

describe('erasure with an S3 archive', { timeout: 120_000 }, () => {
  let s3: S3Server;
  let dir: string;
  let server: Server;

  /** Every line of every object in the bucket, by key. */
  async function bucket(): Promise<Map<string, string[]>> {
    const objects = new Map<string, string[]>();
    for (const key of await s3.keys(PREFIX)) objects.set(key, gunzipSync(await s3.read(key)).toString('utf8').split('\n').filter(Boolean));
    return objects;
  }
  async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(new URL(url, server.url), { method, headers: { 'x-api-key': KEY, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() };
  }
  async function finished(id: string): Promise<any> {
    for (;;) {
      const job = (await call('GET', `/api/v1/erasures/${id}`)).body;
      if (job.status !== 'running') return job;
      await sleep(50);
    }
  }

  before(async () => {
    s3 = await startS3Server();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-erasure-s3-'));
    server = await startServer(
      configSchema.parse({
        dataDir: path.join(dir, 'data'),
        port: 0,
        bootstrapKey: KEY,
        logLevel: 'silent',
        archive: { rollSeconds: 1, url: `s3://${s3.bucket}/${PREFIX}`, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
      }),
    );
  });
  after(async () => {
    await server?.close();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('rewrites the objects that held the erased finding, deletes an erased account\'s, and keeps every other line once', async () => {
    const docs = [
      findingDoc({ id: 'keep-1' }),
      findingDoc({ id: 's3-victim-1', ip: '203.0.113.61' }),
      findingDoc({ id: 'keep-2' }),
      findingDoc({ id: 'acct-1', accountId: '565656565656' }),
      findingDoc({ id: 'acct-2', accountId: '565656565656', region: 'eu-west-1' }),
    ];
    assert.equal((await call('POST', '/api/v1/events', docs.map((d) => eventOf(d)))).status, 200);
    // A second version of the victim, in another object.
    await sleep(1500);
    assert.equal((await call('POST', '/api/v1/events', [eventOf(findingDoc({ id: 's3-victim-1', ip: '203.0.113.61', count: 2, updatedAt: '2026-11-21T08:00:00.000Z' }))])).status, 200);
    while ([...(await bucket()).values()].flat().length < 6) await sleep(200);

    const byQuery = await call('POST', '/api/v1/erasures', { query: 'remoteIp:"203.0.113.61"', reason: 'DSR-9' });
    assert.equal(byQuery.status, 202);
    const job = await finished(byQuery.body.id);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.counts.archiveLines, 2);
    assert.equal(job.counts.archiveObjectsRewritten + job.counts.archiveObjectsDeleted, 2);

    const byAccount = await call('POST', '/api/v1/erasures', { accountId: '565656565656', reason: 'end of processing' });
    assert.equal((await finished(byAccount.body.id)).status, 'done');

    const left = await bucket();
    assert.ok([...left.keys()].every((k) => !k.includes('565656565656')), 'no object of the erased account is left');
    const lines = [...left.values()].flat();
    assert.ok(lines.every((l) => !l.includes('s3-victim-1') && !l.includes('203.0.113.61')), 'no line of the erased finding is left');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort(), ['keep-1', 'keep-2'], 'every other line once');
  });
});
