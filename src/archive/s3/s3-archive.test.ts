// The S3 archive against an S3-compatible server (s3rver) through the real AWS SDK: the local archive's keys and
// bytes, nothing before the commit is durable, large objects in parts, idempotent rewrites, and failures thrown.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../../test/support/s3-server.js';
import type { ArchiveObject } from '../archive.js';
import { LocalArchive } from '../local/local-archive.js';
import { MIN_PART_BYTES, S3Archive } from './s3-archive.js';

const DAY = '2026/11/28';

function objects(name: string): ArchiveObject[] {
  const line = (id: string, n: number): string => JSON.stringify({ id, n, title: `finding ${id} — ünïcode` });
  return [
    { accountId: '111122223333', region: 'us-east-1', day: DAY, name, lines: [line('a', 1), line('a', 2)] },
    { accountId: '111122223333', region: 'eu-west-1', day: DAY, name, lines: [Buffer.from(line('b', 1), 'utf8')] },
    { accountId: '444455556666', region: 'us-east-1', day: '2026/11/29', name, lines: [line('c', 1), Buffer.from(line('c', 2), 'utf8')] },
  ];
}

async function* pages(...parts: Array<ReadonlyArray<string | Uint8Array>>): AsyncGenerator<ReadonlyArray<string | Uint8Array>> {
  for (const part of parts) yield part;
}

/** Every object in a local archive folder: key → bytes. */
async function localObjects(root: string): Promise<Map<string, Buffer>> {
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.jsonl.gz')).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(root, f))] as const)));
}

/** Names of the commands a client sends, as it sends them. */
function recordCommands(client: S3Client): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

const lines = (gz: Buffer): string[] => gunzipSync(gz).toString('utf8').split('\n').filter(Boolean);

describe('the S3 archive', () => {
  let s3: S3Server;
  let dir: string;
  before(async () => {
    s3 = await startS3Server();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-s3-archive-'));
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the same keys and the same gzip bytes as the local archive, under its prefix', async () => {
    const local = new LocalArchive(path.join(dir, 'same'));
    const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket, prefix: 'same/guardduty/' });
    try {
      for (const target of [local, archive]) {
        await target.write(objects('written'));
        const partition = { accountId: '777788889999', region: 'ap-northeast-1', day: DAY };
        await target.put({ ...partition, name: 'in-parts' }, pages(['{"id":"p1"}', '{"id":"p2"}'], [], [Buffer.from('{"id":"p3"}')]));
        await target.put({ ...partition, name: 'no-lines' }, pages());
      }
      const expected = await localObjects(path.join(dir, 'same'));
      const keys = await s3.keys('same/');
      assert.equal(keys.length, 5);
      assert.deepEqual(keys, [...expected.keys()].map((k) => `same/guardduty/${k}`));
      for (const [key, bytes] of expected) {
        const stored = await s3.read(`same/guardduty/${key}`);
        assert.deepEqual(lines(stored), lines(bytes), key);
        assert.ok(stored.equals(bytes), `${key}: byte for byte`);
      }
      assert.deepEqual(lines(expected.get('AWSLogs/777788889999/GuardDuty/ap-northeast-1/2026/11/28/in-parts.jsonl.gz')!), ['{"id":"p1"}', '{"id":"p2"}', '{"id":"p3"}']);
    } finally {
      await local.close();
      await archive.close();
    }
  });

  test("puts no object before the store's commit is durable, and none if it never is", async () => {
    const client = s3.newClient();
    const sent = recordCommands(client);
    const archive = new S3Archive({ client, bucket: s3.bucket, prefix: 'ready/' });
    try {
      let durable!: () => void;
      const writing = archive.write(objects('waited'), new Promise<void>((resolve) => (durable = resolve)));
      await sleep(300);
      assert.deepEqual(sent, [], 'no request while the commit is not durable');
      assert.deepEqual(await s3.keys('ready/'), []);
      durable();
      assert.ok((await writing) > 0);
      assert.deepEqual(sent, ['PutObject', 'PutObject', 'PutObject']);
      assert.equal((await s3.keys('ready/')).length, 3);

      const lost = Promise.reject(new Error('fsync of the WAL failed'));
      lost.catch(() => undefined); // as the store hands it over: awaited later
      await assert.rejects(archive.write(objects('lost'), lost), /fsync of the WAL failed/);
      assert.equal(sent.length, 3, 'a commit that may be lost sends nothing');
      assert.ok((await s3.keys('ready/')).every((k) => k.endsWith('waited.jsonl.gz')));
    } finally {
      await archive.close();
    }
  });

  test('uploads an object larger than a part in parts, holding about a part at a time, and it reads back whole', { timeout: 120_000 }, async () => {
    const client = s3.newClient();
    const sent = recordCommands(client);
    const archive = new S3Archive({ client, bucket: s3.bucket, prefix: 'large/', partBytes: MIN_PART_BYTES });
    // Base64 of random bytes compresses to about 3/4: 24 pages of ~1 MiB make ~18 MiB of gzip, four parts or so.
    const page = (p: number): string[] => Array.from({ length: 64 }, (_, i) => JSON.stringify({ id: `big-${p}-${i}`, blob: randomBytes(12 * 1024).toString('base64') }));
    const all: string[][] = Array.from({ length: 24 }, (_, p) => page(p));
    const object = { accountId: '111122223333', region: 'us-east-1', day: DAY, name: 'large' };
    try {
      const written = await archive.put(object, pages(...all));
      const uploads = sent.filter((c) => c === 'UploadPart').length;
      assert.ok(uploads >= 3, `${uploads} parts`);
      assert.deepEqual(sent, ['CreateMultipartUpload', ...Array<string>(uploads).fill('UploadPart'), 'CompleteMultipartUpload']);
      const [key] = await s3.keys('large/');
      const stored = await s3.read(key!);
      assert.equal(stored.byteLength, written);
      assert.deepEqual(lines(stored), all.flat(), 'every line, in order');

      // The same object again: the same name, the same bytes, still one object.
      await archive.put(object, pages(...all));
      assert.deepEqual(await s3.keys('large/'), [key]);
      assert.ok((await s3.read(key!)).equals(stored));
    } finally {
      await archive.close();
    }
  });

  test('writing an object again replaces it: one object under its name, with the same content', async () => {
    const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket, prefix: 'replay/' });
    try {
      await archive.write(objects('replayed'));
      const first = await Promise.all((await s3.keys('replay/')).map((k) => s3.read(k)));
      await archive.write(objects('replayed'));
      const object = { accountId: '111122223333', region: 'us-east-1', day: DAY, name: 'replayed' };
      await archive.put(object, pages(objects('replayed')[0]!.lines));
      const keys = await s3.keys('replay/');
      assert.equal(keys.length, 3);
      const again = await Promise.all(keys.map((k) => s3.read(k)));
      assert.deepEqual(again.map(lines), first.map(lines));
    } finally {
      await archive.close();
    }
  });

  test('a write to an unreachable bucket fails with a sentence naming the object, and succeeds once it is back', async () => {
    const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket, prefix: 'outage/' });
    const object = { accountId: '111122223333', region: 'us-east-1', day: DAY, name: 'outage' };
    try {
      await s3.stop();
      try {
        await assert.rejects(archive.put(object, pages(['{"id":"o1"}'])), (e: Error & { code?: string }) => {
          assert.equal(e.code, 'ARCHIVE_WRITE_FAILED');
          assert.match(e.message, /^writing s3:\/\/yagura-archive\/outage\/AWSLogs\/111122223333\/GuardDuty\/us-east-1\/2026\/11\/28\/outage\.jsonl\.gz failed: .*ECONNREFUSED/);
          return true;
        });
      } finally {
        await s3.start();
      }
      await archive.put(object, pages(['{"id":"o1"}']));
      assert.deepEqual(lines(await s3.read((await s3.keys('outage/'))[0]!)), ['{"id":"o1"}']);
    } finally {
      await archive.close();
    }
  });

  test('a multipart upload that fails midway leaves no object, and the next attempt writes it whole', { timeout: 120_000 }, async () => {
    const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket, prefix: 'midway/', partBytes: MIN_PART_BYTES });
    const object = { accountId: '111122223333', region: 'us-east-1', day: DAY, name: 'midway' };
    const page = (p: number): string[] => Array.from({ length: 640 }, (_, i) => JSON.stringify({ id: `m-${p}-${i}`, blob: randomBytes(12 * 1024).toString('base64') }));
    const first = page(0);
    const second = page(1);
    try {
      // The first page is a part of its own (~7.5 MiB compressed); the bucket goes away before the second.
      const failing = async function* (): AsyncGenerator<string[]> {
        yield first;
        await s3.stop();
        yield second;
      };
      try {
        await assert.rejects(archive.put(object, failing()), { code: 'ARCHIVE_WRITE_FAILED' });
      } finally {
        await s3.start();
      }
      assert.deepEqual(await s3.keys('midway/'), [], 'no object under its name');
      await archive.put(object, pages(first, second));
      assert.deepEqual(lines(await s3.read((await s3.keys('midway/'))[0]!)), [...first, ...second]);
    } finally {
      await archive.close();
    }
  });

  test('asks for server-side encryption with the configured KMS key on every object, and sends it as application/gzip', { timeout: 120_000 }, async () => {
    const client = s3.newClient();
    const inputs: Array<{ command: string; input: Record<string, unknown> }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        inputs.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordInputs' },
    );
    const archive = new S3Archive({ client, bucket: s3.bucket, prefix: 'sse/', partBytes: MIN_PART_BYTES, encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/yagura' } });
    try {
      await archive.write(objects('encrypted'));
      const big = Array.from({ length: 640 }, (_, i) => JSON.stringify({ id: `e-${i}`, blob: randomBytes(12 * 1024).toString('base64') }));
      await archive.put({ accountId: '111122223333', region: 'us-east-1', day: DAY, name: 'encrypted-large' }, pages(big, big));
      const creating = inputs.filter((i) => i.command === 'PutObjectCommand' || i.command === 'CreateMultipartUploadCommand');
      assert.deepEqual(
        creating.map((i) => i.command),
        ['PutObjectCommand', 'PutObjectCommand', 'PutObjectCommand', 'CreateMultipartUploadCommand'],
      );
      for (const { input } of creating) {
        assert.deepEqual([input.ServerSideEncryption, input.SSEKMSKeyId, input.ContentType, input.ContentEncoding], ['aws:kms', 'alias/yagura', 'application/gzip', undefined]);
      }
    } finally {
      await archive.close();
    }
  });

  test('refuses an object whose key is not a plain path', async () => {
    const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket });
    try {
      await assert.rejects(archive.write([{ accountId: '..', region: 'us-east-1', day: DAY, name: 'x', lines: [] }]), /not a plain path/);
      assert.throws(() => new S3Archive({ client: s3.newClient(), bucket: s3.bucket, partBytes: 1024 }), /at least 5242880/);
    } finally {
      await archive.close();
    }
  });
});
