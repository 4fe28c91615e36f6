// Opening the configured archive: the data folder's by default, a bucket with archive.url, a clear error without a region.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../../test/support/s3-server.js';
import { archiveConfigSchema } from './archive-config.js';
import { LocalArchive } from './local/local-archive.js';
import { openArchive } from './open-archive.js';
import { S3Archive } from './s3/s3-archive.js';

// The SDK's default credential chain finds these first; no profile or region from the machine running the tests.
process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete process.env[name];

const object = { accountId: '111122223333', region: 'us-east-1', day: '2026/11/28', name: 'opened', lines: ['{"id":"x"}'] };

describe('openArchive', () => {
  let s3: S3Server;
  let dir: string;
  before(async () => {
    s3 = await startS3Server();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-open-archive-'));
  });
  /** A new data folder under the test's directory. */
  const folder = async (name: string): Promise<{ dir: string; archiveDir: string }> => {
    const folderDir = path.join(dir, name);
    await mkdir(folderDir, { recursive: true });
    return { dir: folderDir, archiveDir: path.join(folderDir, 'archive') };
  };
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("opens the data folder's archive when no bucket is configured", async () => {
    const archive = await openArchive(archiveConfigSchema.parse({}), await folder('local'));
    assert.ok(archive instanceof LocalArchive);
    await archive.close();
  });

  test('opens the bucket of archive.url with the default credential chain, writing under its prefix', async () => {
    const config = archiveConfigSchema.parse({ url: `s3://${s3.bucket}/team/yagura/`, endpoint: s3.endpoint, forcePathStyle: true, region: 'eu-west-1', sse: 'AES256' });
    const archive = await openArchive(config, await folder('bucket'));
    try {
      assert.ok(archive instanceof S3Archive);
      await archive.write([object]);
      assert.deepEqual(await s3.keys('team/'), ['team/yagura/AWSLogs/111122223333/GuardDuty/us-east-1/2026/11/28/opened.jsonl.gz']);
    } finally {
      await archive.close();
    }
  });

  test('takes us-east-1 for an S3-compatible endpoint when no region is set anywhere', async () => {
    const archive = await openArchive(archiveConfigSchema.parse({ url: `s3://${s3.bucket}/no-region`, endpoint: s3.endpoint, forcePathStyle: true }), await folder('no-region'));
    try {
      await archive.write([object]);
      assert.equal((await s3.keys('no-region/')).length, 1);
    } finally {
      await archive.close();
    }
  });

  test("refuses AWS's own S3 without a region, in one sentence naming the setting", async () => {
    await assert.rejects(openArchive(archiveConfigSchema.parse({ url: 's3://my-bucket' }), await folder('aws')), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'INVALID_CONFIG');
      assert.match(e.message, /^invalid configuration: archive\.region \(YAGURA_ARCHIVE_REGION\) is not set and the AWS SDK found no region/);
      return true;
    });
  });

  test('a data folder keeps the archive it was first opened with: other settings are refused, naming both', async () => {
    const where = await folder('recorded');
    await (await openArchive(archiveConfigSchema.parse({ url: `s3://${s3.bucket}/kept`, endpoint: s3.endpoint, forcePathStyle: true }), where)).close();
    await assert.rejects(openArchive(archiveConfigSchema.parse({}), where), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'INVALID_CONFIG');
      assert.match(e.message, new RegExp(`^this data folder archives to s3://${s3.bucket}/kept, not the data folder's archive/`));
      return true;
    });
    await (await openArchive(archiveConfigSchema.parse({ url: `s3://${s3.bucket}/kept`, endpoint: s3.endpoint, forcePathStyle: true }), where)).close();
  });
});
