// `yagura restore`: a backup folder brought back into a new data folder, every file checked against the manifest's
// size and SHA-256 and the store against its counts; anything that does not match leaves no data folder behind.
import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { dataFolder } from '../data-folder.js';
import { inspectSqlite } from '../sqlite/snapshot.js';
import { COPY_PARALLEL, emptyFolder, STORE_FILE } from './backup-folder.js';
import { eachParallel, hashedCopy, syncTree } from './hashed-copy.js';
import { BackupError, readManifest, type Manifest } from './manifest.js';

export interface RestoreOptions {
  /** The backup folder. */
  readonly from: string;
  /** The new data folder: absent or empty. */
  readonly data: string;
  /** Files restored so far, of the manifest's. */
  readonly onFile?: (restored: number, total: number) => void;
}

export interface RestoredFolder {
  readonly manifest: Manifest;
  readonly dir: string;
  /** Removes what the restore wrote (a later check failed). */
  discard(): Promise<void>;
}

/**
 * Copies the backup into `data`, checking each file; the folder is then ready to open (its first open writes the
 * archive objects the snapshot's outbox held). Throws BACKUP_CORRUPT, and removes what it wrote, on any mismatch.
 */
export async function restoreFolder(options: RestoreOptions): Promise<RestoredFolder> {
  const from = path.resolve(options.from);
  const manifest = await readManifest(from);
  if (!manifest.files.some((f) => f.path === manifest.store.file) || manifest.store.file !== STORE_FILE) {
    throw new BackupError('BACKUP_CORRUPT', `the manifest of ${from} does not list the store file ${STORE_FILE}`);
  }
  const folder = dataFolder(options.data);
  const { created } = await emptyFolder(folder.dir, 'RESTORE_TARGET_NOT_EMPTY');
  const discard = async (): Promise<void> => {
    for (const entry of await readdir(folder.dir).catch(() => [])) await rm(path.join(folder.dir, entry), { recursive: true, force: true });
    if (created) await rmdir(folder.dir).catch(() => undefined);
  };
  try {
    let done = 0;
    await eachParallel(manifest.files, COPY_PARALLEL, async (file) => {
      const source = path.join(from, ...file.path.split('/'));
      let copied;
      try {
        copied = await hashedCopy(source, path.join(folder.dir, ...file.path.split('/')));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupError('BACKUP_CORRUPT', `the backup ${from} lacks ${file.path}, which its manifest lists`);
        throw error;
      }
      if (copied.bytes !== file.bytes || copied.sha256 !== file.sha256) {
        throw new BackupError('BACKUP_CORRUPT', `${file.path} in the backup ${from} is not what was backed up (${copied.bytes} bytes, SHA-256 ${copied.sha256.slice(0, 12)}…; the manifest says ${file.bytes} bytes, ${file.sha256.slice(0, 12)}…)`);
      }
      options.onFile?.(++done, manifest.files.length);
    });
    let contents;
    try {
      contents = inspectSqlite(folder.databaseFile);
    } catch (error) {
      throw new BackupError('BACKUP_CORRUPT', (error as Error).message);
    }
    const expected = manifest.store.contents;
    if (contents.findings !== expected.findings || contents.versions !== expected.versions || contents.auditEntries !== expected.auditEntries) {
      throw new BackupError('BACKUP_CORRUPT', `the restored store holds ${JSON.stringify(contents)}, the manifest says ${JSON.stringify(expected)}`);
    }
    await syncTree(folder.dir);
    return { manifest, dir: folder.dir, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
