// Writes finding documents as GuardDuty's S3 export does: AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
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

/** Writes in flight at once: most objects are small, so latency, not CPU, limits throughput. */
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/** Below this, compressing on the main thread is cheaper than a round trip to the thread pool. */
const SYNC_GZIP_BYTES = 256 * 1024;

/** Compresses and writes objects with bounded concurrency and memory; the first failure is rethrown. */
class ObjectWriter {
  files = 0;
  lines = 0;
  bytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightBytes = 0;
  private readonly dirs = new Map<string, Promise<unknown>>();
  private failure: { error: unknown } | undefined;

  async write(dir: string, name: string, lines: readonly string[]): Promise<void> {
    while (this.inFlight.size >= MAX_IN_FLIGHT || (this.inFlight.size > 0 && this.inFlightBytes >= MAX_IN_FLIGHT_BYTES)) {
      await Promise.race(this.inFlight);
    }
    this.rethrow();
    const payload = Buffer.from(lines.join(''), 'utf8');
    this.inFlightBytes += payload.length;
    const task: Promise<void> = this.store(dir, name, payload, lines.length)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.inFlightBytes -= payload.length;
      });
    this.inFlight.add(task);
  }

  /** Waits for every write, then rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async store(dir: string, name: string, payload: Buffer, lines: number): Promise<void> {
    const compressed = payload.length < SYNC_GZIP_BYTES ? gzipSync(payload) : await gzipAsync(payload);
    let made = this.dirs.get(dir);
    if (made === undefined) {
      made = mkdir(dir, { recursive: true });
      this.dirs.set(dir, made);
    }
    await made;
    await writeFile(join(dir, name), compressed);
    this.files++;
    this.lines += lines;
    this.bytes += compressed.length;
  }
}

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
  const writer = new ObjectWriter();
  let buffered = 0;

  async function flush(partition: Partition): Promise<void> {
    if (partition.lines.length === 0) return;
    const lines = partition.lines;
    buffered -= partition.bytes;
    partition.lines = [];
    partition.bytes = 0;
    await writer.write(partition.dir, objectName(partition.key, partition.objects++), lines);
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
    await writer.drain();
  }
  return { files: writer.files, findings: writer.lines, bytes: writer.bytes };
}
