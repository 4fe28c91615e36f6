// How every archive encodes its objects: one bare finding per line in UTF-8, compressed as gzip members.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ArchiveObject } from './archive.js';

const gzipAsync = promisify(gzip);

/**
 * Encodes objects as GuardDuty exports them, one bare finding per line in UTF-8, into one new buffer: object `i` is
 * `bytes[ends[i-1] ?? 0 .. ends[i]]`. Lines given as bytes are copied, not decoded and encoded again.
 */
export function encodeObjects(objects: readonly Pick<ArchiveObject, 'lines'>[]): { bytes: Buffer; ends: number[] } {
  let total = 0;
  for (const object of objects) {
    for (const line of object.lines) total += (typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.byteLength) + 1;
  }
  // A buffer of its own (never a slice of Node's shared pool), so that it can be transferred to another thread.
  const bytes = Buffer.allocUnsafeSlow(total);
  const ends: number[] = [];
  let at = 0;
  for (const object of objects) {
    for (const line of object.lines) {
      if (typeof line === 'string') at += bytes.write(line, at, 'utf8');
      else {
        bytes.set(line, at);
        at += line.byteLength;
      }
      bytes[at++] = 0x0a;
    }
    ends.push(at);
  }
  return { bytes, ends };
}

/**
 * Compresses an object's encoded lines, or one part of them, as one gzip member with zlib's defaults. Every archive
 * compresses through here, so the same lines make the same bytes in a folder and in a bucket.
 */
export function gzipMember(bytes: Uint8Array): Promise<Buffer> {
  return gzipAsync(bytes);
}

/**
 * The encoded lines of each gzip member of an object written from parts: one member per part that has lines
 * (concatenated members are one valid gzip stream, read whole by gunzip, zlib, DuckDB and Athena), or one empty
 * member for an object without lines, which is still a valid gzip file. Each is a buffer of its own.
 */
export async function* memberInputs(parts: AsyncIterable<ReadonlyArray<string | Uint8Array>>): AsyncGenerator<Buffer> {
  let members = 0;
  for await (const lines of parts) {
    if (lines.length === 0) continue;
    members++;
    yield encodeObjects([{ lines }]).bytes;
  }
  if (members === 0) yield Buffer.allocUnsafeSlow(0);
}
