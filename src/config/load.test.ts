// Configuration: defaults, file, environment and flags, validated once with a sentence naming the option.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './load.js';

test('defaults to loopback, port 7780 and no bootstrap key', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 7780);
  assert.equal(c.bootstrapKey, undefined);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.ingest));
});

test('layers file < environment < flags', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-config-'));
  try {
    const file = path.join(dir, 'yagura.json');
    await writeFile(file, JSON.stringify({ port: 9000, host: '127.0.0.2', ingest: { maxBodyBytes: 2048 } }));
    const c = loadConfig({ file, env: { YAGURA_PORT: '9100', YAGURA_DATA: '/srv/yagura' }, overrides: { port: 9200, host: undefined } });
    assert.equal(c.port, 9200);
    assert.equal(c.host, '127.0.0.2');
    assert.equal(c.dataDir, '/srv/yagura');
    assert.equal(c.ingest.maxBodyBytes, 2048);
    assert.equal(c.ingest.maxItemsPerRequest, 10_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('rejects bad values with one sentence naming the option', () => {
  const cases: Array<[Parameters<typeof loadConfig>[0], RegExp]> = [
    [{ env: { YAGURA_PORT: 'eighty' } }, /YAGURA_PORT must be a whole number/],
    [{ env: { YAGURA_PORT: '70000' } }, /port/],
    [{ env: { YAGURA_BOOTSTRAP_KEY: 'short' } }, /bootstrapKey: the bootstrap key must be at least 24 characters/],
    [{ env: { YAGURA_LOG_LEVEL: 'loud' } }, /logLevel/],
    [{ env: {}, overrides: { 'ingest.maxBodyBytes': 10 } }, /ingest\.maxBodyBytes/],
    [{ env: {}, overrides: { colour: 'red' } }, /colour|unrecognized/i],
    [{ env: { YAGURA_ARCHIVE_ROLL_SECONDS: '0' } }, /archive\.rollSeconds/],
    [{ env: {}, overrides: { 'archive.rollBytes': 1024 } }, /archive\.rollBytes/],
    [{ env: {}, file: '/nonexistent/yagura.json' }, /cannot read the configuration file/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => loadConfig(options), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
  }
});

test('rolls archive objects every 5 minutes or 16 MiB unless told otherwise', () => {
  assert.deepEqual(loadConfig({ env: {} }).archive, { rollSeconds: 300, rollBytes: 16 * 1024 * 1024 });
  const c = loadConfig({ env: { YAGURA_ARCHIVE_ROLL_SECONDS: '60', YAGURA_ARCHIVE_ROLL_BYTES: '1048576' } });
  assert.deepEqual(c.archive, { rollSeconds: 60, rollBytes: 1024 * 1024 });
});

test('reads alerting options: public URL, account names and tags, private receivers', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-config-'));
  try {
    const file = path.join(dir, 'yagura.json');
    await writeFile(file, JSON.stringify({ accounts: { '111122223333': { name: 'prod-payments', tags: ['production'] } }, alerts: { maxAttempts: 5 } }));
    const c = loadConfig({ file, env: { YAGURA_PUBLIC_URL: 'https://yagura.example.com', YAGURA_ALERTS_ALLOW_PRIVATE_NETWORKS: 'true' } });
    assert.equal(c.publicUrl, 'https://yagura.example.com');
    assert.deepEqual(c.accounts['111122223333'], { name: 'prod-payments', tags: ['production'] });
    assert.deepEqual([c.alerts.allowPrivateNetworks, c.alerts.maxAttempts, c.alerts.sendTimeoutSeconds], [true, 5, 10]);
    assert.throws(() => loadConfig({ env: {}, overrides: { publicUrl: 'javascript:alert(1)' } }), /publicUrl/);
    await writeFile(file, JSON.stringify({ accounts: { prod: { tags: [] } } }));
    assert.throws(() => loadConfig({ file, env: {} }), /accounts\.prod/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('reads an S3-compatible archive: bucket URL, endpoint, path style, region and encryption', () => {
  const c = loadConfig({
    env: {
      YAGURA_ARCHIVE_URL: 's3://guardduty-archive.example/yagura/prod',
      YAGURA_ARCHIVE_ENDPOINT: 'http://127.0.0.1:9000',
      YAGURA_ARCHIVE_FORCE_PATH_STYLE: 'true',
      YAGURA_ARCHIVE_REGION: 'eu-central-1',
      YAGURA_ARCHIVE_SSE: 'aws:kms',
      YAGURA_ARCHIVE_SSE_KMS_KEY_ID: 'alias/yagura-archive',
    },
  });
  assert.deepEqual(c.archive, {
    rollSeconds: 300,
    rollBytes: 16 * 1024 * 1024,
    url: 's3://guardduty-archive.example/yagura/prod',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    region: 'eu-central-1',
    sse: 'aws:kms',
    sseKmsKeyId: 'alias/yagura-archive',
  });
  assert.equal(loadConfig({ env: {}, overrides: { 'archive.url': 's3://my-bucket' } }).archive.url, 's3://my-bucket');
});

test('refuses a bad archive setting with one sentence naming it', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ YAGURA_ARCHIVE_URL: 'https://my-bucket.s3.amazonaws.com/x' }, /archive\.url: must be an s3:\/\/ URL naming a bucket/],
    [{ YAGURA_ARCHIVE_URL: 's3://My_Bucket/x' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://ab' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://192.168.1.10/x' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://bucket..name/x' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket/a//b' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket/a/../b' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket/a b' }, /archive\.url/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket', YAGURA_ARCHIVE_ENDPOINT: 'ftp://minio.local' }, /archive\.endpoint/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket', YAGURA_ARCHIVE_FORCE_PATH_STYLE: 'yes' }, /YAGURA_ARCHIVE_FORCE_PATH_STYLE must be true or false/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket', YAGURA_ARCHIVE_REGION: 'EU West' }, /archive\.region/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket', YAGURA_ARCHIVE_SSE: 'DES' }, /archive\.sse/],
    [{ YAGURA_ARCHIVE_URL: 's3://my-bucket', YAGURA_ARCHIVE_SSE_KMS_KEY_ID: 'alias/k' }, /archive\.sseKmsKeyId: needs archive\.sse set to aws:kms/],
    [{ YAGURA_ARCHIVE_ENDPOINT: 'http://127.0.0.1:9000' }, /archive\.endpoint: applies only to an S3 archive, and archive\.url is not set/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig({ env }),
      (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(env),
    );
  }
});

test('reads S3-export sources with their defaults, and refuses two sources on one prefix or an external ID without a role', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-config-'));
  try {
    const file = path.join(dir, 'yagura.json');
    const source = { bucket: 'my-export', prefix: 'guardduty', region: 'eu-west-1', roleArn: 'arn:aws:iam::111122223333:role/yagura-reader', externalId: 'yagura-ext-1' };
    await writeFile(file, JSON.stringify({ sources: { s3Export: [source] } }));
    const [s] = loadConfig({ file, env: {} }).sources.s3Export;
    assert.deepEqual(
      [s?.prefix, s?.intervalSeconds, s?.lookBackDays, s?.backfillDays, s?.visibilityTimeoutSeconds, s?.maxReceiveCount, s?.queueUrl],
      ['guardduty/', 60, 2, 90, 300, 5, undefined],
    );
    assert.deepEqual(loadConfig({ env: {} }).sources.s3Export, []);
    await writeFile(file, JSON.stringify({ sources: { s3Export: [source, { ...source, prefix: 'guardduty/' }] } }));
    assert.throws(() => loadConfig({ file, env: {} }), (e: Error) => e instanceof ConfigError && /sources\.s3Export\.1: two sources read my-export\/guardduty\//.test(e.message));
    await writeFile(file, JSON.stringify({ sources: { s3Export: [{ bucket: 'my-export', region: 'eu-west-1', externalId: 'yagura-ext-1' }] } }));
    assert.throws(() => loadConfig({ file, env: {} }), (e: Error) => e instanceof ConfigError && /sources\.s3Export\.0\.externalId: needs roleArn/.test(e.message));
    await writeFile(file, JSON.stringify({ sources: { s3Export: [{ bucket: 'My_Bucket', region: 'eu-west-1' }] } }));
    assert.throws(() => loadConfig({ file, env: {} }), (e: Error) => e instanceof ConfigError && /sources\.s3Export\.0\.bucket/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
