// Copies a file while computing its SHA-256, and makes the copy durable: the one way files enter or leave a backup.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, open, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Copied {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Copies `from` to the new file `to` (its folders made as needed, mode 0600). Not yet durable: `syncTree` makes
 * every copy of a tree durable at once.
 */
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

/**
 * Runs `task` over `items`, `parallel` at a time; the results in the items' order. After a failure no task starts,
 * and it rejects only once those under way have ended (so that nothing writes after the caller cleans up).
 */
export async function eachParallel<T, R>(items: readonly T[], parallel: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i]!, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(parallel, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

const execFileAsync = promisify(execFile);

/**
 * Makes every file and folder under `root` durable: one syncfs(2) (`sync -f`, Linux) for the whole file system,
 * far cheaper than an fsync per file for thousands of archive objects; elsewhere, an fsync of each.
 */
export async function syncTree(root: string): Promise<void> {
  if (process.platform === 'linux') {
    try {
      await execFileAsync('sync', ['-f', root]);
      return;
    } catch {
      // No coreutils `sync -f`: fall back to fsyncs.
    }
  }
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) await fsync(p);
    }
    await fsync(dir);
  };
  await walk(root);
}
