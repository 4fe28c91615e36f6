// The local archive's thread: compresses objects, writes them to the staging folder, renames them into place and
// makes them durable. Its event loop does nothing else, so that no step waits for the importing thread's commits.
import { execFile } from 'node:child_process';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipMember } from '../encoding.js';
import type { ArchiveReply, ArchiveRequest, StagedObject } from './archive-protocol.js';

if (parentPort === null) throw new Error('archive-worker runs only as a worker thread');
const port = parentPort;
const { root, staging } = workerData as { root: string; staging: string };

const execFileAsync = promisify(execFile);
/**
 * Objects written at once. zlib and file calls run on libuv's pool, so a few in flight keep both cores busy, and
 * the fsyncs of a small write's objects (and those of other writes in flight) share the file system's journal
 * commits instead of queueing one behind another.
 */
const PARALLEL = 8;
/**
 * From this many objects on, one syncfs(2) (`sync -f`) is far cheaper than an fsync per file and folder:
 * 2,000 small objects take about 0.15 s instead of 2 s. Below it, fsyncs avoid starting a process.
 */
const BULK_OBJECTS = 32;

interface Written {
  readonly tmp: string;
  readonly file: string;
  readonly dir: string;
  /** Folders this write created, whose parents must be fsynced. */
  readonly created: readonly string[];
  readonly bytes: number;
}

/** Objects of each write, in the staging folder, until they are published or discarded. */
const staged = new Map<number, { written: Written[]; flushed: boolean }>();
/** Objects being written in parts: their file so far, until finished (then staged) or discarded. */
const opened = new Map<number, { written: Written; handle: FileHandle; bytes: number }>();
/** Partition folders known to exist durably, so each is created and fsynced once. */
const knownDirs = new Set<string>();
let sequence = 0;
/** Cleared when `sync -f` is unavailable (not Linux), so bulk writes fall back to fsyncs. */
let syncfs = process.platform === 'linux';

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a partition folder; returns the parents whose entries changed and must be fsynced. */
async function ensureDir(dir: string): Promise<string[]> {
  if (knownDirs.has(dir)) return [];
  // One folder per account, region and day: forget them now and then rather than grow without end.
  if (knownDirs.size >= 100_000) knownDirs.clear();
  const created = await mkdir(dir, { recursive: true, mode: 0o750 });
  knownDirs.add(dir);
  if (created === undefined) return [];
  const parents: string[] = [];
  for (let level = dir; level.length >= created.length; level = path.dirname(level)) parents.push(path.dirname(level));
  return parents;
}

/** Writes an object's compressed bytes to a temporary file in the staging folder (flushed to disk when `flush`). */
async function writeTemporary(object: StagedObject, bytes: Uint8Array, flush: boolean): Promise<Written> {
  const dir = path.dirname(object.file);
  const created = await ensureDir(dir);
  const data = await gzipMember(bytes.subarray(object.start, object.end));
  const tmp = path.join(staging, `${path.basename(object.file)}.tmp-${process.pid}-${++sequence}`);
  try {
    if (flush) {
      const handle = await open(tmp, 'w', 0o640);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await writeFile(tmp, data, { mode: 0o640 });
    }
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return { tmp, file: object.file, dir, created, bytes: data.byteLength };
}

async function removeAll(written: readonly Written[]): Promise<void> {
  await Promise.all(written.map((w) => rm(w.tmp, { force: true })));
}

async function stage(request: Extract<ArchiveRequest, { kind: 'stage' }>): Promise<number> {
  const bytes = new Uint8Array(request.bytes);
  // Small writes flush each object here, beside the store's flush of its commit; bulk ones sync once when published.
  const flush = !(syncfs && request.objects.length >= BULK_OBJECTS);
  // Made again if it was removed under us (the objects of a write that failed so are written again on replay).
  await mkdir(staging, { recursive: true, mode: 0o750 });
  const written: Written[] = [];
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < request.objects.length) written.push(await writeTemporary(request.objects[next++]!, bytes, flush));
  };
  const writers = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL, request.objects.length) }, writer));
  const failed = writers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failed) {
    await removeAll(written);
    throw failed.reason;
  }
  staged.set(request.write, { written, flushed: flush });
  return written.reduce((n, w) => n + w.bytes, 0);
}

async function publish(write: number): Promise<void> {
  const { written, flushed } = staged.get(write) ?? { written: [], flushed: true };
  staged.delete(write);
  await Promise.all(written.map((w) => rename(w.tmp, w.file)));
  if (!flushed) {
    try {
      await execFileAsync('sync', ['-f', root]);
      return;
    } catch {
      syncfs = false;
      await Promise.all(written.map((w) => fsyncPath(w.file)));
    }
  }
  // The renames and new folders are durable once their parent folders are fsynced.
  await Promise.all([...new Set(written.flatMap((w) => [w.dir, ...w.created]))].map(fsyncPath));
}

/** Opens the temporary file of an object written in parts (gzip members appended one by one). */
async function openObject(write: number, file: string): Promise<void> {
  const dir = path.dirname(file);
  const created = await ensureDir(dir);
  await mkdir(staging, { recursive: true, mode: 0o750 });
  const tmp = path.join(staging, `${path.basename(file)}.tmp-${process.pid}-${++sequence}`);
  const handle = await open(tmp, 'w', 0o640);
  opened.set(write, { written: { tmp, file, dir, created, bytes: 0 }, handle, bytes: 0 });
}

async function appendPart(write: number, bytes: ArrayBuffer): Promise<number> {
  const entry = opened.get(write);
  if (entry === undefined) throw new Error(`no object is open for write ${write}`);
  // A gzip member per part (encoding.ts): each part's compression needs only that part in memory.
  const member = await gzipMember(new Uint8Array(bytes));
  await entry.handle.write(member);
  entry.bytes += member.byteLength;
  return member.byteLength;
}

async function finishObject(write: number): Promise<void> {
  const entry = opened.get(write);
  if (entry === undefined) throw new Error(`no object is open for write ${write}`);
  opened.delete(write);
  try {
    await entry.handle.sync();
  } finally {
    await entry.handle.close();
  }
  staged.set(write, { written: [{ ...entry.written, bytes: entry.bytes }], flushed: true });
}

async function handle(request: ArchiveRequest): Promise<number | void> {
  switch (request.kind) {
    case 'open':
      return openObject(request.write, request.file);
    case 'append':
      return appendPart(request.write, request.bytes);
    case 'finish':
      return finishObject(request.write);
    case 'stage':
      return stage(request);
    case 'publish':
      return publish(request.write);
    case 'discard': {
      const open = opened.get(request.write);
      opened.delete(request.write);
      if (open) await open.handle.close().catch(() => undefined);
      const entry = staged.get(request.write) ?? (open && { written: [open.written] });
      staged.delete(request.write);
      return removeAll(entry?.written ?? []);
    }
  }
}

// Requests are handled concurrently: the writes of several batches in flight flush together.
port.on('message', (request: ArchiveRequest) => {
  handle(request).then(
    (bytes) => port.postMessage({ call: request.call, ...(typeof bytes === 'number' && { bytes }) } satisfies ArchiveReply),
    (e: unknown) => {
      const error = e as NodeJS.ErrnoException;
      port.postMessage({ call: request.call, error: { message: error.message, ...(error.code !== undefined && { code: error.code }) } } satisfies ArchiveReply);
    },
  );
});
