// The local archive's thread: compresses objects, writes them to the staging folder, renames them into place and
// makes them durable, with synchronous calls, so that none of it waits for a turn of the event loop that stores.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { ArchiveReply, ArchiveRequest } from './archive-protocol.js';

if (parentPort === null) throw new Error('archive-worker runs only as a worker thread');
const port = parentPort;
const { root, staging } = workerData as { root: string; staging: string };

interface Written {
  readonly tmp: string;
  readonly file: string;
  readonly dir: string;
  /** Folders this write created, whose parents must be fsynced. */
  readonly created: readonly string[];
}

/** Objects of each write, in the staging folder, until they are published or discarded. */
const staged = new Map<number, { written: Written[]; flushed: boolean }>();
/** Partition folders known to exist durably, so each is created and fsynced once. */
const knownDirs = new Set<string>();
let sequence = 0;
/** Cleared when `sync -f` is unavailable (not Linux), so bulk writes fall back to fsyncs. */
let syncfs = process.platform === 'linux';

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates a partition folder; returns the parents whose entries changed and must be fsynced. */
function ensureDir(dir: string): string[] {
  if (knownDirs.has(dir)) return [];
  // One folder per account, region and day: forget them now and then rather than grow without end.
  if (knownDirs.size >= 100_000) knownDirs.clear();
  const created = mkdirSync(dir, { recursive: true, mode: 0o750 });
  knownDirs.add(dir);
  if (created === undefined) return [];
  const parents: string[] = [];
  for (let level = dir; level.length >= created.length; level = path.dirname(level)) parents.push(path.dirname(level));
  return parents;
}

function writeFileFully(file: string, data: Uint8Array, flush: boolean): void {
  const fd = openSync(file, 'w', 0o640);
  try {
    for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
    if (flush) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeAll(written: readonly Written[]): void {
  for (const w of written) rmSync(w.tmp, { force: true });
}

/**
 * From this many objects on, one syncfs(2) (`sync -f`) is far cheaper than an fsync per file and folder:
 * 2,000 small objects take about 0.15 s instead of 2 s. Below it, fsyncs avoid starting a process.
 */
const BULK_OBJECTS = 32;

function stage(request: Extract<ArchiveRequest, { kind: 'stage' }>): void {
  const bytes = new Uint8Array(request.bytes);
  // Small writes flush each object here, beside the store's flush of its commit; bulk ones sync once when published.
  const flush = !(syncfs && request.objects.length >= BULK_OBJECTS);
  const written: Written[] = [];
  try {
    // Made again if it was removed under us (the objects of a write that failed so are written again on replay).
    mkdirSync(staging, { recursive: true, mode: 0o750 });
    for (const object of request.objects) {
      const dir = path.dirname(object.file);
      const created = ensureDir(dir);
      const tmp = path.join(staging, `${path.basename(object.file)}.tmp-${process.pid}-${++sequence}`);
      // Pushed first: a failed write leaves a partial file to remove.
      written.push({ tmp, file: object.file, dir, created });
      writeFileFully(tmp, gzipSync(bytes.subarray(object.start, object.end)), flush);
    }
  } catch (error) {
    removeAll(written);
    throw error;
  }
  staged.set(request.write, { written, flushed: flush });
}

function publish(write: number): void {
  const { written, flushed } = staged.get(write) ?? { written: [], flushed: true };
  staged.delete(write);
  for (const w of written) renameSync(w.tmp, w.file);
  if (!flushed) {
    try {
      execFileSync('sync', ['-f', root], { stdio: 'ignore' });
      return;
    } catch {
      syncfs = false;
      for (const w of written) fsyncPath(w.file);
    }
  }
  // The renames and new folders are durable once their parent folders are fsynced.
  for (const dir of new Set(written.flatMap((w) => [w.dir, ...w.created]))) fsyncPath(dir);
}

function handle(request: ArchiveRequest): void {
  switch (request.kind) {
    case 'stage':
      return stage(request);
    case 'publish':
      return publish(request.write);
    case 'discard': {
      const entry = staged.get(request.write);
      staged.delete(request.write);
      return removeAll(entry?.written ?? []);
    }
  }
}

port.on('message', (request: ArchiveRequest) => {
  let reply: ArchiveReply;
  try {
    handle(request);
    reply = { call: request.call };
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    reply = { call: request.call, error: { message: error.message, ...(error.code !== undefined && { code: error.code }) } };
  }
  port.postMessage(reply);
});
