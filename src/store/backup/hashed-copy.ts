// Copies a file while computing its SHA-256, and makes the copy durable: the one way files enter or leave a backup.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Copied {
  readonly bytes: number;
  readonly sha256: string;
}

/** Copies `from` to the new file `to` (its folders made as needed, mode 0600), fsynced before it resolves. */
export async function hashedCopy(from: string, to: string): Promise<Copied> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done): void {
      hash.update(chunk);
      bytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
  await fsync(to);
  return { bytes, sha256: hash.digest('hex') };
}

/** The size and SHA-256 of a file. */
export async function hashFile(file: string): Promise<Copied> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** fsyncs a file or a folder (a folder's fsync makes the names created in it durable). */
export async function fsync(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
