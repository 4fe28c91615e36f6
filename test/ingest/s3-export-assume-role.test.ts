// With roleArn and externalId, the source's own credentials only sign sts:AssumeRole (sent to a minimal STS endpoint
// on loopback through AWS_ENDPOINT_URL_STS, the SDK's standard variable); the bucket is read with the role's.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { buildClients } from '../../src/ingest/s3-export/aws-clients.js';
import { dayBefore } from '../../src/ingest/s3-export/export-key.js';
import { ListingCollector } from '../../src/ingest/s3-export/listing-collector.js';
import { SourceHealthRecorder } from '../../src/ingest/source-health.js';
import { findingDoc } from '../fixtures/findings.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../support/s3-server.js';
import { dataFolder, exportKey, gz, memoryLog, put, sourceConfig } from './s3-export-support.js';

const ROLE = 'arn:aws:iam::111122223333:role/yagura-reader';

let s3: S3Server;
let sts: Server;
const calls: URLSearchParams[] = [];
const authorizations: string[] = [];

before(async () => {
  s3 = await startS3Server('assumed-export');
  // sts:AssumeRole as AWS's query protocol has it: a form-encoded POST, an XML answer. The credentials it hands out
  // are the only ones s3rver accepts.
  sts = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      authorizations.push(String(req.headers.authorization ?? ''));
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
        <AccessKeyId>${S3RVER_CREDENTIALS.accessKeyId}</AccessKeyId><SecretAccessKey>${S3RVER_CREDENTIALS.secretAccessKey}</SecretAccessKey>
        <SessionToken>role-session-token</SessionToken><Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials>
        <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:yagura</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/yagura-reader/yagura</Arn></AssumedRoleUser>
        </AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  sts.closeAllConnections();
  sts.close();
  await s3.close();
});

test('reads the bucket with the assumed role, asked for with the external ID and signed with the default credentials', { timeout: 60_000 }, async () => {
  const folder = await dataFolder();
  const env = { ...process.env };
  // The default chain's credentials, which s3rver refuses: the objects can only be read with the role's.
  process.env.AWS_ACCESS_KEY_ID = 'AKIAMASTERCREDENTIAL';
  process.env.AWS_SECRET_ACCESS_KEY = 'master-secret';
  process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
  const config = sourceConfig(s3, { roleArn: ROLE, externalId: 'yagura-external-7' });
  const clients = buildClients(config);
  try {
    await put(s3, exportKey(dayBefore(Date.now(), 0), 'assumed'), gz([findingDoc({ id: 'as-role' })]));
    const health = new SourceHealthRecorder('assumed', 's3-export', 'test');
    const ctx = { sourceId: 'assumed', s3: clients.s3, bucket: config.bucket, pipeline: folder.embedded.pipeline, health, log: memoryLog(), maxObjectBytes: 1024 * 1024 };
    const pass = await new ListingCollector(ctx, folder.embedded.backend.sourceState, config).pass();
    assert.equal(pass.read, 1, JSON.stringify(health.snapshot().errors));
    assert.equal(health.snapshot().state, 'running');
    assert.ok(await folder.embedded.store.get({ accountId: '111122223333', region: 'us-east-1', id: 'as-role' }));
    assert.ok(calls.length >= 1);
    assert.equal(calls[0]!.get('Action'), 'AssumeRole');
    assert.equal(calls[0]!.get('RoleArn'), ROLE);
    assert.equal(calls[0]!.get('ExternalId'), 'yagura-external-7');
    assert.match(authorizations[0]!, /Credential=AKIAMASTERCREDENTIAL\//);
  } finally {
    process.env = env;
    clients.destroy();
    await folder.close();
  }
});
