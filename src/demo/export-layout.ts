// Writes finding documents as GuardDuty's S3 export does: AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { parseTimestamp } from '../findings/timestamp.js';

const gzipAsync = promisify(gzip);

/** Same rules as the finding normaliser: these become path segments, so never `.`, `/` or empty. */
const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/;
const REGION = /^[a-z0-9-]{2,32}$/;

export interface ExportLayoutOptions {
  /** Most lines (finding versions) in one object. Default 5000. */
  readonly objectMaxFindings?: number;
  /** When buffered lines exceed this many characters, the largest partitions are written early. Default 64 Mi. */
  readonly maxBufferedBytes?: number;
}

export interface ExportLayoutResult {
  /** Objects written. */
  readonly files: number;
  /** Lines written, one finding version each. */
  readonly findings: number;
  /** Compressed bytes written. */
  readonly bytes: number;
}

/** Lines waiting for one account/region/day folder. */
interface Partition {
  readonly key: string;
  readonly dir: string;
  lines: string[];
  bytes: number;
  objects: number;
}

/** At most this many objects are compressed and written at once (zlib runs on the libuv thread pool). */
const MAX_IN_FLIGHT = 2;

/** A deterministic, UUID-shaped object name: the same partition and sequence number give the same name. */
function objectName(key: string, sequence: number): string {
  const h = createHash('sha256').update(`${key}#${sequence}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}.jsonl.gz`;
}

function partitionOf(doc: Record<string, unknown>): { key: string; segments: string[] } {
  const { accountId, region } = doc;
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    throw new TypeError(`cannot place a finding in the export layout: accountId ${JSON.stringify(accountId)?.slice(0, 80)} is not an account id`);
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new TypeError(`cannot place a finding in the export layout: region ${JSON.stringify(region)?.slice(0, 80)} is not a region name`);
  }
  const updatedAt = parseTimestamp(doc['updatedAt']);
  if (updatedAt === undefined) throw new TypeError(`cannot place finding ${String(doc['id'])} in the export layout: updatedAt is not a date`);
  const day = new Date(updatedAt).toISOString();
  const segments = ['AWSLogs', accountId, 'GuardDuty', region, day.slice(0, 4), day.slice(5, 7), day.slice(8, 10)];
  return { key: segments.join('/'), segments };
}

/**
 * Writes finding versions under `dir` in GuardDuty's S3 export layout: gzipped JSON lines, one bare finding per
 * line, partitioned by account, region and the UTC day of `updatedAt`, at most `objectMaxFindings` lines per object.
 * Lines are buffered per partition and written when a partition fills, when the buffers grow past
 * `maxBufferedBytes` (largest partitions first), and at the end, so memory stays bounded for any input size.
 */
export async function writeExportLayout(
  versions: Iterable<Record<string, unknown>>,
  dir: string,
  opts: ExportLayoutOptions = {},
): Promise<ExportLayoutResult> {
  const maxLines = opts.objectMaxFindings ?? 5000;
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new RangeError('objectMaxFindings must be a positive integer');
  if (!(maxBuffered > 0)) throw new RangeError('maxBufferedBytes must be positive');

  const partitions = new Map<string, Partition>();
  const madeDirs = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let buffered = 0;
  let files = 0;
  let findings = 0;
  let bytes = 0;

  async function write(partition: Partition, lines: string[]): Promise<void> {
    const name = objectName(partition.key, partition.objects++);
    const compressed = await gzipAsync(Buffer.from(lines.join(''), 'utf8'));
    if (!madeDirs.has(partition.dir)) {
      await mkdir(partition.dir, { recursive: true });
      madeDirs.add(partition.dir);
    }
    await writeFile(join(partition.dir, name), compressed);
    files++;
    findings += lines.length;
    bytes += compressed.length;
  }

  async function flush(partition: Partition): Promise<void> {
    if (partition.lines.length === 0) return;
    const lines = partition.lines;
    buffered -= partition.bytes;
    partition.lines = [];
    partition.bytes = 0;
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    if (failure !== undefined) throw failure.error;
    const task: Promise<void> = write(partition, lines)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  try {
    for (const doc of versions) {
      const { key, segments } = partitionOf(doc);
      let partition = partitions.get(key);
      if (partition === undefined) {
        partition = { key, dir: join(dir, ...segments), lines: [], bytes: 0, objects: 0 };
        partitions.set(key, partition);
      }
      const line = `${JSON.stringify(doc)}\n`;
      partition.lines.push(line);
      partition.bytes += line.length;
      buffered += line.length;
      if (partition.lines.length >= maxLines) await flush(partition);
      if (buffered > maxBuffered) {
        const largest = [...partitions.values()].filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1));
        for (const p of largest) {
          if (buffered <= maxBuffered / 2) break;
          await flush(p);
        }
      }
    }
    for (const partition of partitions.values()) await flush(partition);
  } finally {
    while (inFlight.size > 0) await Promise.race(inFlight);
  }
  if (failure !== undefined) throw failure.error;
  return { files, findings, bytes };
}
