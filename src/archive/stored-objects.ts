// The archive's objects as they lie in a folder or a bucket, listed and read back line by line: what retention needs
// on top of writing, reading and deleting one object (archive.ts). Both archives implement it over the same keys.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Archive, ArchiveObject } from './archive.js';

/** An object's place in the layout: partition and name, without its lines. */
export type ArchiveRef = Omit<ArchiveObject, 'lines'>;

export interface StoredArchive extends Archive {
  /** Every object of the export layout (keys outside it are skipped), in key order. */
  list(): AsyncIterable<ArchiveRef>;
}

/**
 * An object's lines, inflated and split at newlines (empty lines skipped), holding a line at a time; a missing object
 * has none.
 */
export async function* archiveLines(archive: Pick<Archive, 'read'>, ref: ArchiveRef): AsyncGenerator<string> {
  const bytes = await archive.read(ref);
  if (bytes === undefined) return;
  const source = Readable.from(bytes);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (line !== '') yield line;
  } finally {
    source.destroy();
  }
}
