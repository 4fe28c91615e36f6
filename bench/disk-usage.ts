// Bytes on disk of a data folder: the SQLite files and the archive tree.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';

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

/** Current findings and stored versions (every version, the current one included, as schema v2 keeps them), counted in the database itself. */
export function storedCounts(dataDir: string): { findings: number; versions: number } {
  const db = new Database(path.join(dataDir, 'yagura.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT (SELECT count(*) FROM findings) AS f, (SELECT count(*) FROM finding_versions) AS v').get() as { f: number; v: number };
    return { findings: row.f, versions: row.v };
  } finally {
    db.close();
  }
}
