// Archive in a local folder: objects are written to a temporary file in a staging folder, renamed into place, and
// made durable — one fsync per file and folder for small batches, one syncfs of the file system for large ones.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { archiveKey, encodeLines, type Archive } from '../archive.js';
import type { ArchiveObject } from '../../store/finding-store.js';

const gzipAsync = promisify(gzip);
const execFileAsync = promisify(execFile);
/** Objects written at once; zlib and file I/O run on libuv's pool, so a few in flight keep both cores busy. */
const PARALLEL = 8;
/**
 * From this many objects on, one syncfs(2) (`sync -f`) is far cheaper than an fsync per file and folder:
 * 2,000 small objects take about 0.15 s instead of 2 s. Below it, fsyncs avoid starting a process.
 */
const BULK_OBJECTS = 32;
/**
 * Objects being written, under the archive root but outside `AWSLogs/`: readers of the export layout never see a
 * partial object, and what a crash leaves behind is in one place, removed at the next open (the store's outbox
 * writes those objects again).
 */
const STAGING = '.staging';

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Written {
  readonly tmp: string;
  readonly file: string;
  readonly dir: string;
  /** Folders this write created, whose parents must be fsynced. */
  readonly created: string[];
}

export class LocalArchive implements Archive {
  private readonly root: string;
  private readonly staging: string;
  private stagingReady: Promise<unknown> | undefined;
  private sequence = 0;
  /** Directories known to exist durably, so each is created and fsynced once. */
  private readonly knownDirs = new Set<string>();
  /** Cleared when `sync -f` is unavailable (not Linux), so bulk writes fall back to fsyncs. */
  private syncfs = process.platform === 'linux';

  /** Opens the archive of a data folder this process holds (the folder lock makes it the only writer). */
  constructor(root: string) {
    this.root = path.resolve(root);
    this.staging = path.join(this.root, STAGING);
    // No other process writes here, so any file in the staging folder is a crash's leftover.
    rmSync(this.staging, { recursive: true, force: true });
  }

  /** Resolves an object's path and refuses any that would land outside the archive root. */
  pathOf(object: Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>): string {
    const full = path.resolve(this.root, archiveKey(object));
    if (!full.startsWith(this.root + path.sep)) throw new Error(`archive key escapes the archive folder: ${archiveKey(object)}`);
    return full;
  }

  async write(objects: readonly ArchiveObject[], ready: Promise<void> = Promise.resolve()): Promise<void> {
    if (objects.length === 0) {
      await ready;
      return;
    }
    const bulk = this.syncfs && objects.length >= BULK_OBJECTS;
    const written: Written[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < objects.length) written.push(await this.writeTemporary(objects[next++]!, !bulk));
    };
    // Small batches: each object's bytes are flushed here, beside the store's flush of its commit.
    const writers = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL, objects.length) }, worker));
    try {
      const failed = writers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
      if (failed) throw failed.reason;
      await ready;
    } catch (error) {
      await Promise.all(written.map((w) => rm(w.tmp, { force: true })));
      throw error;
    }
    await Promise.all(written.map((w) => rename(w.tmp, w.file)));
    if (bulk) {
      try {
        await mkdir(this.root, { recursive: true });
        await execFileAsync('sync', ['-f', this.root]);
        return;
      } catch {
        this.syncfs = false;
        await Promise.all(written.map((w) => fsyncPath(w.file)));
      }
    }
    // The renames and new folders are durable once their parent folders are fsynced.
    const dirs = new Set(written.flatMap((w) => [w.dir, ...w.created]));
    await Promise.all([...dirs].map(fsyncPath));
  }

  /** Writes an object's bytes to a temporary file in the staging folder (flushed to disk when `fsyncFile`). */
  private async writeTemporary(object: ArchiveObject, fsyncFile: boolean): Promise<Written> {
    const file = this.pathOf(object);
    const dir = path.dirname(file);
    const created = await this.ensureDir(dir);
    const data = await gzipAsync(encodeLines(object));
    await this.ensureStaging();
    const tmp = path.join(this.staging, `${path.basename(file)}.tmp-${process.pid}-${++this.sequence}`);
    try {
      if (fsyncFile) {
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
      // The staging folder was removed under us: make it again for the next write (this batch is replayed).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.stagingReady = undefined;
      throw error;
    }
    return { tmp, file, dir, created };
  }

  private ensureStaging(): Promise<unknown> {
    this.stagingReady ??= mkdir(this.staging, { recursive: true, mode: 0o750 }).catch((error: unknown) => {
      this.stagingReady = undefined;
      throw error;
    });
    return this.stagingReady;
  }

  /** Creates a partition folder; returns the parents whose entries changed and must be fsynced. */
  private async ensureDir(dir: string): Promise<string[]> {
    if (this.knownDirs.has(dir)) return [];
    // One folder per account, region and day: forget them now and then rather than grow without end.
    if (this.knownDirs.size >= 100_000) this.knownDirs.clear();
    const created = await mkdir(dir, { recursive: true, mode: 0o750 });
    this.knownDirs.add(dir);
    if (created === undefined) return [];
    const parents: string[] = [];
    for (let level = dir; level.length >= created.length; level = path.dirname(level)) parents.push(path.dirname(level));
    return parents;
  }

  async close(): Promise<void> {
    this.knownDirs.clear();
  }
}
