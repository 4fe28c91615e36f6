// The archive's objects as they lie in a folder or a bucket: listed, read back line by line, deleted. What retention
// needs on top of writing (archive.ts); both archives implement it over the same keys.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Archive, ArchiveObject } from './archive.js';

/** An object's place in the layout: partition and name, without its lines. */
export type ArchiveRef = Omit<ArchiveObject, 'lines'>;

export interface StoredArchive extends Archive {
  /** Every object of the export layout (keys outside it are skipped), in key order. */
  list(): AsyncIterable<ArchiveRef>;
  /** An object's lines, inflated and split at newlines (an empty last line is not one); a missing object has none. */
  readLines(ref: ArchiveRef): AsyncIterable<string>;
  /** Deletes an object durably; one that is already gone is not an error. */
  remove(ref: ArchiveRef): Promise<void>;
}

const KEY = /^AWSLogs\/([A-Za-z0-9-]{1,64})\/GuardDuty\/([a-z0-9-]{1,32})\/(\d{4}\/\d{2}\/\d{2})\/([A-Za-z0-9_.-]{1,200})\.jsonl\.gz$/;

/** The partition and name of a key in the export layout (`archiveKey`'s inverse); undefined for any other key. */
export function parseArchiveKey(key: string): ArchiveRef | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  return { accountId: m[1]!, region: m[2]!, day: m[3]!, name: m[4]! };
}

/** The lines of a gzip stream (several members read as one), without holding more than a line at a time. */
export async function* gzipLines(stream: Readable): AsyncGenerator<string> {
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: stream.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line !== '') yield line;
}
