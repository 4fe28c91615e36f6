// `yagura import s3://bucket/prefix` as a user runs it: the built CLI reads GuardDuty export objects from an
// S3-compatible bucket (s3rver) through the SDK's standard endpoint variable and path style, into a data folder.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findingDoc } from '../fixtures/findings.js';
import { exportKey, gz, put } from '../ingest/s3-export-support.js';
import { yagura } from '../support/cli.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../support/s3-server.js';

describe('yagura import s3://', { timeout: 120_000 }, () => {
  let s3: S3Server;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    s3 = await startS3Server('cli-export');
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-cli-s3-'));
    env = {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      YAGURA_S3_FORCE_PATH_STYLE: 'true',
    };
    await put(s3, exportKey('2026/11/20', 'a'), gz([findingDoc({ id: 'cli1' }), findingDoc({ id: 'cli2' })]));
    await put(s3, exportKey('2026/11/21', 'b'), gz([findingDoc({ id: 'cli3' }), findingDoc({ id: 'stranger', accountId: '999988887777' })]));
    await put(s3, exportKey('2026/11/21', 'c'), 'not gzip at all');
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('imports the valid findings, names each refused object and line with its code, and a second import adds nothing', async () => {
    const data = path.join(dir, 'data');
    const first = await yagura(['import', `s3://${s3.bucket}/guardduty`, '--data', data], env);
    assert.equal(first.code, 2, first.stderr);
    assert.match(first.stdout, /^read 4, stored 3, updated 0, unchanged 0, ignored 0, rejected 2 from 3 files/m);
    assert.match(first.stderr, /s3:\/\/cli-export\/guardduty\/AWSLogs\/111122223333\/GuardDuty\/us-east-1\/2026\/11\/21\/b\.jsonl\.gz:2: ACCOUNT_MISMATCH: /);
    assert.match(first.stderr, /c\.jsonl\.gz: NOT_GZIP: .* is named \.gz but is not gzip/);
    const again = await yagura(['import', `s3://${s3.bucket}/guardduty/`, '--data', data], env);
    assert.match(again.stdout, /^read 4, stored 0, updated 0, unchanged 3, ignored 0, rejected 2 from 3 files/m);
    const search = await yagura(['search', 'accountId:111122223333', '--from', '2020-01-01T00:00:00Z', '--format', 'json', '--data', data], env);
    assert.deepEqual((JSON.parse(search.stdout) as { findings: Array<{ yagura: { id: string } }> }).findings.map((f) => f.yagura.id).sort(), ['cli1', 'cli2', 'cli3']);
  });

  test('a bucket that cannot be listed and a malformed URL end with a one-line error', async () => {
    const missing = await yagura(['import', 's3://no-such-bucket/x', '--data', path.join(dir, 'other')], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot list s3:\/\/no-such-bucket\/x: NoSuchBucket/);
    const bad = await yagura(['import', 's3://Not_A_Bucket', '--data', path.join(dir, 'other')], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /must be an s3:\/\/ URL naming a bucket/);
  });
});
