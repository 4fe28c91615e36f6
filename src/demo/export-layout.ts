// Writes finding documents as GuardDuty's S3 export does: AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseTimestamp } from '../findings/timestamp.js';
import { ObjectWriter } from './object-writer.js';
import { SpillRuns } from './spill-runs.js';

/** Same rules as the finding normaliser: these become path segments, so never `.`, `/` or empty. */
const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/;
const REGION = /^[a-z0-9-]{2,32}$/;

export interface ExportLayoutOptions {
  /** Most lines (finding versions) in one object. Default 5000. */
  readonly objectMaxFindings?: number;
  /** Bytes of JSON lines buffered in memory before they are spilled to temporary files. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /** gzip level, 1 (fastest) to 9 (smallest). Default: zlib's default (6). */
  readonly compressionLevel?: number;
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
  readonly id: number;
  readonly key: string;
  readonly dir: string;
  /** UTF-8 lines, each ending in a newline: kept off the JS heap so garbage collection stays cheap. */
  lines: Buffer[];
  bytes: number;
  /** Objects written so far; numbers the next object's name. */
  objects: number;
}

/** A deterministic, UUID-shaped object name: the same partition and sequence number give the same name. */
function objectName(key: string, sequence: number): string {
  const h = createHash('sha256').update(`${key}#${sequence}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}.jsonl.gz`;
}

function describe(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 80);
}

/** The partition folder of a finding version: account, region and the UTC day of `updatedAt`. */
function partitionOf(doc: Record<string, unknown>): string[] {
  const { accountId, region } = doc;
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    throw new TypeError(`cannot place a finding in the export layout: accountId ${describe(accountId)} is not an account id`);
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new TypeError(`cannot place a finding in the export layout: region ${describe(region)} is not a region name`);
  }
  const updatedAt = parseTimestamp(doc['updatedAt']);
  if (updatedAt === undefined) throw new TypeError(`cannot place finding ${describe(doc['id'])} in the export layout: updatedAt is not a date`);
  const day = new Date(updatedAt).toISOString();
  return ['AWSLogs', accountId, 'GuardDuty', region, day.slice(0, 4), day.slice(5, 7), day.slice(8, 10)];
}

const NEWLINE = 0x0a;

/** Cuts newline-terminated lines into pieces of at most `maxLines` lines. */
function* chunks(payload: Buffer, lines: number, maxLines: number): Generator<[payload: Buffer, lines: number]> {
  if (lines <= maxLines) {
    yield [payload, lines];
    return;
  }
  let start = 0;
  while (start < payload.length) {
    let end = start;
    let count = 0;
    while (count < maxLines && end < payload.length) {
      end = payload.indexOf(NEWLINE, end) + 1 || payload.length;
      count++;
    }
    yield [payload.subarray(start, end), count];
    start = end;
  }
}

/**
 * Writes finding versions under `dir` in GuardDuty's S3 export layout: gzipped JSON lines, one bare finding per
 * line, partitioned by account, region and the UTC day of `updatedAt`, at most `objectMaxFindings` lines per object.
 * A partition is written as soon as it holds `objectMaxFindings` lines. When the buffers outgrow
 * `maxBufferedBytes` they are spilled to a sorted temporary run and merged back at the end, so memory stays
 * bounded and each partition still ends up in as few objects as the limit allows. Same input, same files.
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
  const level = opts.compressionLevel;
  if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 9)) throw new RangeError('compressionLevel must be an integer from 1 to 9');

  const partitions = new Map<string, Partition>();
  const byId: Partition[] = [];
  const writer = new ObjectWriter(level);
  let runs: SpillRuns | undefined;
  let buffered = 0;

  async function emit(partition: Partition, payload: Buffer, lines: number): Promise<void> {
    for (const [piece, count] of chunks(payload, lines, maxLines)) {
      await writer.write(partition.dir, objectName(partition.key, partition.objects++), piece, count);
    }
  }

  function clear(partition: Partition): void {
    buffered -= partition.bytes;
    partition.lines = [];
    partition.bytes = 0;
  }

  function take(partition: Partition): [payload: Buffer, lines: number] {
    const taken: [Buffer, number] = [Buffer.concat(partition.lines, partition.bytes), partition.lines.length];
    clear(partition);
    return taken;
  }

  try {
    for (const doc of versions) {
      const segments = partitionOf(doc);
      const key = segments.join('/');
      let partition = partitions.get(key);
      if (partition === undefined) {
        partition = { id: byId.length, key, dir: join(dir, ...segments), lines: [], bytes: 0, objects: 0 };
        partitions.set(key, partition);
        byId.push(partition);
      }
      const line = Buffer.from(`${JSON.stringify(doc)}\n`, 'utf8');
      partition.lines.push(line);
      partition.bytes += line.length;
      buffered += line.length;
      if (partition.lines.length >= maxLines) await emit(partition, ...take(partition));
      if (buffered > maxBuffered) {
        runs ??= await SpillRuns.create();
        const waiting = byId.filter((p) => p.lines.length > 0);
        await runs.spill(waiting.map((p) => ({ partition: p.id, key: p.key, lines: p.lines })));
        for (const p of waiting) clear(p);
      }
    }
    const ordered = [...byId].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (runs !== undefined) {
      for await (const spilled of runs.merge(ordered.map((p) => ({ partition: p.id, key: p.key })), maxBuffered / 4)) {
        const partition = byId[spilled.partition]!;
        const [rest, restLines] = take(partition);
        await emit(partition, Buffer.concat([...spilled.pieces, rest]), spilled.lines + restLines);
      }
    }
    for (const partition of ordered) {
      if (partition.lines.length > 0) await emit(partition, ...take(partition));
    }
    await writer.drain();
  } catch (error) {
    await writer.drain().catch(() => undefined);
    throw error;
  } finally {
    await runs?.dispose();
  }
  return { files: writer.files, findings: writer.lines, bytes: writer.bytes };
}
