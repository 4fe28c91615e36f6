// Bytes on disk of a data folder: the SQLite files and the archive tree.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface DiskUsage {
  readonly databaseBytes: number;
  readonly walBytes: number;
  readonly archiveBytes: number;
  readonly archiveObjects: number;
}

async function fileSize(file: string): Promise<number> {
  return stat(file).then((s) => s.size, () => 0);
}

/** Sum of file sizes (not blocks) below `dir`, and how many files. */
async function treeSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    bytes += await fileSize(path.join(entry.parentPath, entry.name));
    files++;
  }
  return { bytes, files };
}

export async function diskUsage(dataDir: string): Promise<DiskUsage> {
  const archive = await treeSize(path.join(dataDir, 'archive'));
  return {
    databaseBytes: await fileSize(path.join(dataDir, 'yagura.db')),
    walBytes: await fileSize(path.join(dataDir, 'yagura.db-wal')),
    archiveBytes: archive.bytes,
    archiveObjects: archive.files,
  };
}
