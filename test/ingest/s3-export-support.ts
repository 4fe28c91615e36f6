// What the S3-export source tests share: a data folder with the real store and pipeline, s3rver reached by the real
// AWS SDK, export objects in GuardDuty's layout, and a log the tests can read.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { s3ExportSourceSchema, type S3ExportSourceConfig } from '../../src/ingest/s3-export/s3-export-config.js';
import type { SourceLog } from '../../src/ingest/source.js';
import { openEmbedded, type Embedded } from '../../src/main.js';
import { S3RVER_CREDENTIALS, type S3Server } from '../support/s3-server.js';

// The source reaches the bucket and the queue with the SDK's default credential chain, which finds these first.
process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
delete process.env.AWS_SESSION_TOKEN;

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const PREFIX = 'guardduty/';

export function exportKey(day: string, name: string, account = ACCOUNT, region = REGION): string {
  return `${PREFIX}AWSLogs/${account}/GuardDuty/${region}/${day}/${name}.jsonl.gz`;
}

export function gz(docs: ReadonlyArray<Record<string, unknown>>): Buffer {
  return gzipSync(`${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
}

export async function put(s3: S3Server, key: string, body: Buffer | string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
}

export function sourceConfig(s3: S3Server, extra: Record<string, unknown> = {}): S3ExportSourceConfig {
  return s3ExportSourceSchema.parse({ bucket: s3.bucket, prefix: PREFIX, region: REGION, endpoint: s3.endpoint, forcePathStyle: true, ...extra });
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

export function memoryLog(): SourceLog & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg: string): void => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Folder {
  readonly dir: string;
  embedded: Embedded;
  reopen(): Promise<Embedded>;
  close(): Promise<void>;
}

/** A data folder with the real SQLite store, opened as `serve` opens it (rolling archive objects). */
export async function dataFolder(): Promise<Folder> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-s3-export-'));
  const open = (): Promise<Embedded> => openEmbedded(path.join(dir, 'data'), 'test');
  const folder: Folder = {
    dir,
    embedded: await open(),
    async reopen(): Promise<Embedded> {
      await folder.embedded.close();
      folder.embedded = await open();
      return folder.embedded;
    },
    async close(): Promise<void> {
      await folder.embedded.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return folder;
}
