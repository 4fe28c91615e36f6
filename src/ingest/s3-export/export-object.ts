// Reads one export object from a bucket whole and classifies its lines: all of it or, if it cannot be read to its
// end, nothing of it.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ArchivePartition } from '../../archive/partition.js';
import { rejection } from '../../findings/finding-error.js';
import { classifyItem, emptyClassified, type Classified } from '../classify.js';
import { parseJsonLine, splitLines, type BodyItem } from '../json-lines.js';
import { awsError, type S3ExportError } from './source-errors.js';

const inflate = promisify(gunzip);
/** A line longer than this is refused (DOCUMENT_TOO_LARGE), as the local import does. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface ObjectRead {
  readonly ok: true;
  /** Lines read. */
  readonly received: number;
  /** Findings, ignored events and rejected lines (index: the line number). */
  readonly classified: Classified;
  readonly etag: string;
}

export type ObjectResult = ObjectRead | { readonly ok: false; readonly error: S3ExportError };

export interface ReadObjectOptions {
  readonly maxObjectBytes: number;
  /** The key's account, region and day: each finding must be of that account (see `administratorAccountId`). */
  readonly partition?: ArchivePartition;
  /** An account whose export may hold other accounts' findings (a delegated administrator's). */
  readonly administratorAccountId?: string;
  readonly signal?: AbortSignal;
}

/** Gets, inflates and classifies `key`; a failure is a coded error value, never a throw. */
export async function readExportObject(client: S3Client, bucket: string, key: string, options: ReadObjectOptions): Promise<ObjectResult> {
  const where = `s3://${bucket}/${key}`;
  let raw: Buffer;
  let etag: string;
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { ...(options.signal && { abortSignal: options.signal }) });
    etag = object.ETag ?? '';
    if (object.ContentLength !== undefined && object.ContentLength > options.maxObjectBytes) {
      (object.Body as Readable | undefined)?.destroy();
      return fail('OBJECT_TOO_LARGE', `${where} holds ${object.ContentLength} bytes, more than maxObjectBytes (${options.maxObjectBytes})`, true);
    }
    raw = await readBody(object.Body as Readable, options.maxObjectBytes);
  } catch (error) {
    if (error instanceof TooLarge) return fail('OBJECT_TOO_LARGE', `${where} holds more than maxObjectBytes (${options.maxObjectBytes})`, true);
    return { ok: false, error: awsError(error, `reading ${where}`) };
  }
  const gzipped = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  let text: Buffer = raw;
  if (key.toLowerCase().endsWith('.gz') && !gzipped) return fail('NOT_GZIP', `${where} is named .gz but is not gzip`, true);
  if (gzipped) {
    try {
      text = await inflate(raw, { maxOutputLength: options.maxObjectBytes });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return fail('OBJECT_TOO_LARGE', `${where} inflates to more than maxObjectBytes (${options.maxObjectBytes}); nothing of it was stored`, true);
      if (code === 'Z_BUF_ERROR') return fail('TRUNCATED_GZIP', `${where} ends before its gzip stream does (cut short); nothing of it was stored`, true);
      return fail('CORRUPT_GZIP', `${where} is not valid gzip (${(error as Error).message}); nothing of it was stored`, true);
    }
  }
  const classified = emptyClassified();
  let received = 0;
  for await (const part of splitLines([text], MAX_LINE_BYTES)) {
    received++;
    const item: BodyItem = 'tooLong' in part ? { error: rejection('DOCUMENT_TOO_LARGE', `line ${part.line} is longer than ${MAX_LINE_BYTES} bytes`) } : parseJsonLine(part.bytes, part.line);
    classifyItem(classified, part.line, item);
  }
  if (options.partition) checkAccounts(classified, options.partition, options.administratorAccountId);
  return { ok: true, received, classified, etag };
}

class TooLarge extends Error {}

async function readBody(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      throw new TooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function fail(code: S3ExportError['code'], message: string, permanent: boolean): ObjectResult {
  return { ok: false, error: { code, message, permanent } };
}

/**
 * Moves to the rejections the findings whose account is not the key's: an object under one account's prefix that
 * speaks for another is not what GuardDuty wrote there (unless the prefix is a delegated administrator's, whose
 * export holds its members' findings).
 */
function checkAccounts(classified: Classified, partition: ArchivePartition, administrator: string | undefined): void {
  if (partition.accountId === administrator) return;
  const findings = classified.findings.splice(0);
  const indexes = classified.indexes.splice(0);
  findings.forEach((finding, i) => {
    if (finding.key.accountId === partition.accountId) {
      classified.findings.push(finding);
      classified.indexes.push(indexes[i]!);
    } else {
      classified.rejected.push({
        index: indexes[i]!,
        code: 'ACCOUNT_MISMATCH',
        message: `the finding's account ${finding.key.accountId} is not the account ${partition.accountId} its object's key names`,
      });
    }
  });
  classified.rejected.sort((a, b) => a.index - b.index);
}
