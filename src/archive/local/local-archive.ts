// Archive in a local folder: each object written to a temporary file, fsynced, renamed, directory fsynced.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { archiveKey, encodeLines, type Archive } from '../archive.js';
import type { ArchiveObject } from '../../store/finding-store.js';

const gzipAsync = promisify(gzip);
/** Objects written at once; zlib and fsync run on libuv's pool, so a few in flight keep both cores busy. */
const PARALLEL = 8;

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalArchive implements Archive {
  private readonly root: string;
  /** Directories known to exist durably, so each is created and fsynced once. */
  private readonly knownDirs = new Set<string>();

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Resolves an object's path and refuses any that would land outside the archive root. */
  pathOf(object: Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>): string {
    const full = path.resolve(this.root, archiveKey(object));
    if (!full.startsWith(this.root + path.sep)) throw new Error(`archive key escapes the archive folder: ${archiveKey(object)}`);
    return full;
  }

  async write(objects: readonly ArchiveObject[]): Promise<void> {
    const dirsToSync = new Set<string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < objects.length) {
        const object = objects[next++]!;
        dirsToSync.add(await this.writeOne(object));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, objects.length) }, worker));
    await Promise.all([...dirsToSync].map(fsyncPath));
  }

  private async writeOne(object: ArchiveObject): Promise<string> {
    const file = this.pathOf(object);
    const dir = path.dirname(file);
    await this.ensureDir(dir);
    const data = await gzipAsync(encodeLines(object));
    const tmp = `${file}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(tmp, file);
    return dir;
  }

  /** Creates a partition folder and fsyncs each new level's parent, so the new entries survive power loss. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const created = await mkdir(dir, { recursive: true, mode: 0o750 });
    if (created !== undefined) {
      let level = dir;
      const parents: string[] = [];
      while (level.length >= created.length) {
        parents.push(path.dirname(level));
        level = path.dirname(level);
      }
      await Promise.all(parents.map(fsyncPath));
    }
    this.knownDirs.add(dir);
  }

  async close(): Promise<void> {
    this.knownDirs.clear();
  }
}
