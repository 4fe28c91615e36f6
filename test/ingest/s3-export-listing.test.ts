// Continuous S3-export collection without a queue: incremental listing of GuardDuty's layout in s3rver, reached by
// the real AWS SDK, into the real store; checkpoints survive a restart; bad objects are coded errors in health.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildClients } from '../../src/ingest/s3-export/aws-clients.js';
import { dayBefore } from '../../src/ingest/s3-export/export-key.js';
import { ListingCollector } from '../../src/ingest/s3-export/listing-collector.js';
import { S3ExportSource } from '../../src/ingest/s3-export/s3-export-source.js';
import { s3ExportSourceId, type S3ExportSourceConfig } from '../../src/ingest/s3-export/s3-export-config.js';
import { SourceHealthRecorder } from '../../src/ingest/source-health.js';
import { parseQuery } from '../../src/query/parser.js';
import { findingDoc } from '../fixtures/findings.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { ACCOUNT, dataFolder, exportKey, gz, memoryLog, put, REGION, sourceConfig, type Folder } from './s3-export-support.js';

const NOW = Date.now();
const TODAY = dayBefore(NOW, 0);

interface Running {
  readonly collector: ListingCollector;
  readonly health: SourceHealthRecorder;
  readonly log: ReturnType<typeof memoryLog>;
  destroy(): void;
}

function listing(folder: Folder, config: S3ExportSourceConfig): Running {
  const clients = buildClients(config);
  const id = s3ExportSourceId(config);
  const health = new SourceHealthRecorder(id, 's3-export', 'test');
  const log = memoryLog();
  const ctx = {
    sourceId: id,
    s3: clients.s3,
    bucket: config.bucket,
    pipeline: folder.embedded.pipeline,
    health,
    log,
    maxObjectBytes: config.maxObjectBytes,
    ...(config.administratorAccountId !== undefined && { administratorAccountId: config.administratorAccountId }),
  };
  return { collector: new ListingCollector(ctx, folder.embedded.backend.sourceState, config), health, log, destroy: () => clients.destroy() };
}

async function ids(folder: Folder): Promise<string[]> {
  const page = await folder.embedded.store.search({ query: parseQuery(''), size: 1000, sort: { field: 'updatedAt', order: 'desc' } });
  return page.findings.map((f) => f.key.id).sort();
}

const docs = (...idList: string[]): Array<Record<string, unknown>> => idList.map((id) => findingDoc({ id }));

describe('S3-export collection by listing', { timeout: 120_000 }, () => {
  let s3: S3Server;
  before(async () => {
    s3 = await startS3Server('guardduty-export');
  });
  after(async () => s3.close());

  test('reads every account and region once, and a later pass reads nothing again', async () => {
    const folder = await dataFolder();
    const run = listing(folder, sourceConfig(s3, { prefix: 'once/' }));
    try {
      const key = (account: string, region: string, name: string) => `once/AWSLogs/${account}/GuardDuty/${region}/${TODAY}/${name}.jsonl.gz`;
      await put(s3, key(ACCOUNT, REGION, 'a'), gz(docs('a1', 'a2')));
      await put(s3, key('444455556666', 'eu-west-1', 'b'), gz([findingDoc({ id: 'b1', accountId: '444455556666', region: 'eu-west-1' })]));
      const first = await run.collector.pass();
      assert.deepEqual(first, { partitions: 2, listed: 2, read: 2 });
      assert.deepEqual(await ids(folder), ['a1', 'a2', 'b1']);
      const health = run.health.snapshot();
      assert.equal(health.state, 'running');
      assert.equal(health.counts.created, 3);
      assert.equal(health.counts.objects, 2);
      assert.deepEqual(health.partitions.map((p) => [p.accountId, p.region, p.findings, typeof p.lastObjectAt]), [
        [ACCOUNT, REGION, 2, 'number'],
        ['444455556666', 'eu-west-1', 1, 'number'],
      ]);
      const second = await run.collector.pass();
      assert.deepEqual(second, { partitions: 2, listed: 2, read: 0 }, 'listed again, read nothing');
      assert.equal(run.health.snapshot().counts.received, 3);
    } finally {
      run.destroy();
      await folder.close();
    }
  });

  test('resumes from the stored checkpoint after a restart: lists only from the look-back on, finds a late object there, and an object rewritten with more lines adds only what is new', async () => {
    const folder = await dataFolder();
    const config = sourceConfig(s3, { lookBackDays: 2, backfillDays: 30 });
    const old = dayBefore(NOW, 10);
    const yesterday = dayBefore(NOW, 1);
    await put(s3, exportKey(old, 'old'), gz(docs('old1')));
    await put(s3, exportKey(yesterday, 'y'), gz(docs('y1')));
    await put(s3, exportKey(TODAY, 't'), gz(docs('t1')));
    let run = listing(folder, config);
    try {
      assert.deepEqual(await run.collector.pass(), { partitions: 1, listed: 3, read: 3 });
    } finally {
      run.destroy();
    }
    await folder.reopen();
    // Late arrivals: one within the look-back (yesterday), one behind it (ten days ago), and a rewritten object.
    await put(s3, exportKey(yesterday, 'late'), gz(docs('late1')));
    await put(s3, exportKey(old, 'too-late'), gz(docs('lost1')));
    await put(s3, exportKey(TODAY, 't'), gz(docs('t1', 't2')));
    run = listing(folder, config);
    try {
      const pass = await run.collector.pass();
      assert.deepEqual(pass, { partitions: 1, listed: 3, read: 2 }, 'the days before the look-back were not listed');
      assert.deepEqual(await ids(folder), ['late1', 'old1', 't1', 't2', 'y1']);
      const counts = run.health.snapshot().counts;
      assert.deepEqual([counts.created, counts.unchanged], [2, 1], 're-reading t1 added nothing');
    } finally {
      run.destroy();
      await folder.close();
    }
  });

  test('bad objects and lines are coded errors in health and the log; the rest is stored, nothing of a broken object is', async () => {
    const folder = await dataFolder();
    const prefix = 'bad/';
    const key = (name: string, account = ACCOUNT) => `${prefix}AWSLogs/${account}/GuardDuty/${REGION}/${TODAY}/${name}`;
    const truncated = gz(docs(...Array.from({ length: 200 }, (_, i) => `cut${i}`)));
    await put(s3, key('plain.jsonl.gz'), `${JSON.stringify(findingDoc({ id: 'plain1' }))}\n`);
    await put(s3, key('cut.jsonl.gz'), truncated.subarray(0, Math.floor(truncated.length / 2)));
    await put(s3, key('mixed.jsonl.gz'), gz([{ hello: 'world' }, findingDoc({ id: 'mixed-good' }), findingDoc({ id: 'other-account', accountId: '999988887777' })]));
    await put(s3, key('good.jsonl.gz'), gz(docs('good1')));
    await put(s3, key('notes.txt').replace(`/${TODAY}/notes.txt`, '/notes.txt'), 'not an export object');
    await put(s3, `${prefix}AWSLogs/not-an-account/x.jsonl.gz`, gz(docs('nowhere')));
    const run = listing(folder, sourceConfig(s3, { prefix }));
    try {
      await run.collector.pass();
      assert.deepEqual(await ids(folder), ['good1', 'mixed-good']);
      const health = run.health.snapshot();
      assert.equal(health.state, 'degraded');
      const codes = health.errors.map((e) => e.code).sort();
      assert.deepEqual(codes, ['ACCOUNT_MISMATCH', 'KEY_OUTSIDE_LAYOUT', 'KEY_OUTSIDE_LAYOUT', 'MISSING_FIELD', 'NOT_GZIP', 'TRUNCATED_GZIP']);
      const mismatch = health.errors.find((e) => e.code === 'ACCOUNT_MISMATCH')!;
      assert.match(mismatch.message, /1 of 3 lines were refused as ACCOUNT_MISMATCH, the rest stored; the first, line 3: the finding's account 999988887777 is not the account 111122223333/);
      assert.equal(mismatch.ref, `${key('mixed.jsonl.gz')}:3`);
      assert.equal(health.errors.find((e) => e.code === 'MISSING_FIELD')!.ref, `${key('mixed.jsonl.gz')}:1`);
      assert.ok(health.errors.find((e) => e.code === 'TRUNCATED_GZIP')!.message.includes('nothing of it was stored'));
      assert.deepEqual(run.log.lines.filter((l) => l.level === 'warn').map((l) => l.obj.code).sort(), codes);
      // Refused objects are marked: the next pass neither reads them nor reports them again.
      assert.deepEqual(await run.collector.pass(), { partitions: 1, listed: 5, read: 0 });
      assert.equal(run.health.snapshot().errors.length, 6);
      assert.equal(run.health.snapshot().state, 'running');
    } finally {
      run.destroy();
      await folder.close();
    }
  });

  test('a delegated administrator’s prefix may hold its members’ findings', async () => {
    const folder = await dataFolder();
    const prefix = 'admin/';
    await put(s3, `${prefix}AWSLogs/${ACCOUNT}/GuardDuty/${REGION}/${TODAY}/m.jsonl.gz`, gz([findingDoc({ id: 'member1', accountId: '999988887777' })]));
    const run = listing(folder, sourceConfig(s3, { prefix, administratorAccountId: ACCOUNT }));
    try {
      await run.collector.pass();
      assert.deepEqual(await ids(folder), ['member1']);
      assert.equal(run.health.snapshot().partitions.find((p) => p.accountId === '999988887777')?.findings, 1);
    } finally {
      run.destroy();
      await folder.close();
    }
  });

  test('a missing bucket, refused credentials and a bucket that denies access make the source failing with a coded error; it recovers', async () => {
    const folder = await dataFolder();
    const missing = listing(folder, { ...sourceConfig(s3), bucket: 'no-such-bucket' });
    let denier: Server | undefined;
    try {
      await missing.collector.pass();
      assert.equal(missing.health.snapshot().state, 'failing');
      assert.equal(missing.health.snapshot().errors[0]?.code, 'NO_SUCH_BUCKET');

      const saved = process.env.AWS_ACCESS_KEY_ID;
      process.env.AWS_ACCESS_KEY_ID = 'AKIANOTKNOWNHERE';
      const wrong = listing(folder, sourceConfig(s3));
      try {
        await wrong.collector.pass();
      } finally {
        process.env.AWS_ACCESS_KEY_ID = saved;
        wrong.destroy();
      }
      assert.equal(wrong.health.snapshot().state, 'failing');
      assert.equal(wrong.health.snapshot().errors[0]?.code, 'CREDENTIALS_INVALID');
      assert.equal(wrong.log.lines[0]?.obj.code, 'CREDENTIALS_INVALID');

      // No credentials anywhere: no variables, no profile files, no instance metadata.
      const env = { ...process.env };
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.AWS_PROFILE;
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
      process.env.AWS_CONFIG_FILE = '/nonexistent/config';
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      const none = listing(folder, sourceConfig(s3));
      try {
        await none.collector.pass();
      } finally {
        process.env = env;
        none.destroy();
      }
      assert.equal(none.health.snapshot().state, 'failing');
      assert.equal(none.health.snapshot().errors[0]?.code, 'CREDENTIALS_INVALID');
      assert.match(none.health.snapshot().errors[0]!.message, /credentials are missing, expired or not accepted/);

      // An S3-compatible endpoint that answers every request as a bucket policy denying access would.
      denier = createServer((_req, res) => {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      });
      await new Promise<void>((resolve) => denier!.listen(0, '127.0.0.1', resolve));
      const denied = listing(folder, { ...sourceConfig(s3), endpoint: `http://127.0.0.1:${(denier.address() as AddressInfo).port}` });
      try {
        await denied.collector.pass();
      } finally {
        denied.destroy();
      }
      assert.equal(denied.health.snapshot().state, 'failing');
      assert.equal(denied.health.snapshot().errors[0]?.code, 'ACCESS_DENIED');

      const fine = listing(folder, sourceConfig(s3, { prefix: 'empty/' }));
      try {
        await fine.collector.pass();
        assert.equal(fine.health.snapshot().state, 'running');
      } finally {
        fine.destroy();
      }
    } finally {
      missing.destroy();
      denier?.closeAllConnections();
      denier?.close();
      await folder.close();
    }
  });

  test('as a source, lists every intervalSeconds from start to stop, and says it stopped', async () => {
    const folder = await dataFolder();
    const config = sourceConfig(s3, { prefix: 'loop/', intervalSeconds: 1 });
    const source = new S3ExportSource(config, { pipeline: folder.embedded.pipeline, state: folder.embedded.backend.sourceState });
    const log = memoryLog();
    try {
      await source.start({ log });
      await put(s3, `loop/AWSLogs/${ACCOUNT}/GuardDuty/${REGION}/${TODAY}/first.jsonl.gz`, gz(docs('loop1')));
      while (source.health().counts.created < 1) await sleep(50);
      await put(s3, `loop/AWSLogs/${ACCOUNT}/GuardDuty/${REGION}/${TODAY}/second.jsonl.gz`, gz(docs('loop2')));
      while (source.health().counts.created < 2) await sleep(50);
      assert.equal(source.health().state, 'running');
      assert.equal(source.health().description, `s3://${s3.bucket}/loop/ (us-east-1), listed every 1 s`);
      await source.stop();
      assert.equal(source.health().state, 'stopped');
      assert.deepEqual(await ids(folder), ['loop1', 'loop2']);
      assert.deepEqual(log.lines.map((l) => l.msg), ['collecting']);
    } finally {
      await source.stop();
      await folder.close();
    }
  });
});
