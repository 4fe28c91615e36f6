// Rewriting an archive object without some of its lines: read back, filtered, and written whole under its own name
// (staged and renamed into place, or one PUT), so that a reader sees the old object or the new one, never a mix.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { Archive, ArchiveObject } from './archive.js';

/** Lines per part of the rewritten object (each part one gzip member, as the archiver writes them). */
const PART_LINES = 2000;

export interface Rewritten {
  readonly kept: number;
  readonly dropped: number;
  /** Nothing was kept: the object was deleted. */
  readonly deleted: boolean;
}

/** The object's lines (without their newline), a part at a time. */
async function* linesOf(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer[]> {
  const inflated = Readable.from(bytes).pipe(createGunzip());
  let rest = Buffer.alloc(0);
  let part: Buffer[] = [];
  for await (const chunk of inflated as AsyncIterable<Buffer>) {
    let data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      if (nl > 0) part.push(Buffer.from(data.subarray(0, nl)));
      data = data.subarray(nl + 1);
      if (part.length >= PART_LINES) {
        yield part;
        part = [];
      }
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) part.push(rest);
  if (part.length > 0) yield part;
}

/**
 * Rewrites `object` without the lines `drop` selects; undefined when the archive has no such object. An object left
 * without lines is deleted. When nothing is dropped the object is left as it is. Writing the same kept lines again
 * gives the same object, so a rewrite interrupted by a crash is simply done again.
 */
export async function rewriteWithout(archive: Archive, object: Omit<ArchiveObject, 'lines'>, drop: (line: Buffer) => boolean): Promise<Rewritten | undefined> {
  // A first pass counts, so that an object with nothing to drop is not written again.
  const first = await archive.read(object);
  if (first === undefined) return undefined;
  let kept = 0;
  let dropped = 0;
  for await (const part of linesOf(first)) {
    for (const line of part) {
      if (drop(line)) dropped++;
      else kept++;
    }
  }
  if (dropped === 0) return { kept, dropped, deleted: false };
  if (kept === 0) {
    await archive.remove(object);
    return { kept, dropped, deleted: true };
  }
  const again = await archive.read(object);
  if (again === undefined) return undefined;
  await archive.put(object, (async function* () {
    for await (const part of linesOf(again)) yield part.filter((line) => !drop(line));
  })());
  return { kept, dropped, deleted: false };
}
