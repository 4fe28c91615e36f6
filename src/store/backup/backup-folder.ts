// `yagura backup`: a consistent copy of an embedded data folder while its server keeps running — the store as of one
// instant, the archive objects written by then, optionally the master key — and a manifest written last.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveKey } from '../../archive/archive.js';
import { recordedArchiveTarget } from '../../archive/archive-target.js';
import { dataFolder, type DataFolder } from '../data-folder.js';
import { countSqlite, snapshotSqlite } from '../sqlite/snapshot.js';
import { eachParallel, fsync, hashedCopy, hashFile, syncTree } from './hashed-copy.js';
import { BackupError, MANIFEST_FILE, MANIFEST_FORMAT, type Manifest, type ManifestFile } from './manifest.js';

export const STORE_FILE = 'yagura.db';
export const ARCHIVE_DIR = 'archive';
export const KEY_FILE = 'master.key';
/** The local archive's staging folder: objects being written, never part of the archive. */
const STAGING = '.staging';
/** Files copied at once. */
export const COPY_PARALLEL = 8;

export interface BackupEvents {
  /** Store pages copied so far, of the total. */
  pages?(copied: number, total: number): void;
  /** Archive objects copied so far, of those to copy. */
  objects?(copied: number, total: number): void;
}

export interface BackupOptions {
  /** The data folder (a server may hold it: it is only read). */
  readonly data: string;
  /** The backup folder: absent or empty. */
  readonly to: string;
  /** Copy the folder's master.key into the backup (when YAGURA_MASTER_KEY is not what holds the key). */
  readonly includeMasterKey: boolean;
  /** Whether YAGURA_MASTER_KEY is set for the server. */
  readonly masterKeyFromEnv: boolean;
  readonly events?: BackupEvents;
}

/** Makes `dir` as a new empty folder, or accepts it empty; anything in it is refused, never overwritten. */
export async function emptyFolder(dir: string, code: 'BACKUP_TARGET_NOT_EMPTY' | 'RESTORE_TARGET_NOT_EMPTY'): Promise<{ created: boolean }> {
  if (existsSync(dir)) {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      throw new BackupError(code, `${dir} exists and is not a readable folder (${error.code ?? error.message})`);
    });
    if (entries.length > 0) throw new BackupError(code, `${dir} is not empty: give a new or empty folder (nothing in it is ever overwritten)`);
    return { created: false };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return { created: true };
}

/** Every file under `root` as a `/`-separated path relative to it, in a stable order. */
async function listFiles(root: string, skipTop: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (rel === '' && skipTop.has(e.name)) continue;
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk(root, '');
  return out;
}

/** `20261128T101500Z-…`: an object's opening time, to the second (archive/partition.ts names objects so). */
const OBJECT_NAME = /(?:^|\/)(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[^/]*$/;

function openedAtSecond(rel: string): number | undefined {
  const m = OBJECT_NAME.exec(rel);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * The archive objects that belong to the snapshot: those written before it. An object still in the snapshot's outbox
 * is left out (the restored store writes it, with exactly the snapshot's lines, at its first start), and so is one
 * opened after the snapshot (it holds only later versions). An object opened in the snapshot's own second is kept.
 */
function inSnapshot(rel: string, takenAt: number, outbox: ReadonlySet<string>): boolean {
  if (outbox.has(rel)) return false;
  const opened = openedAtSecond(rel);
  return opened === undefined || opened <= takenAt;
}

export interface BackupReport {
  readonly manifest: Manifest;
  readonly dir: string;
  /** Archive objects listed but gone before they could be copied (rewritten by an erasure or retention meanwhile). */
  readonly vanished: number;
}

/** Takes the backup; on failure the backup folder is left without a manifest (a restore refuses it) and what it holds is removed. */
export async function backupFolder(options: BackupOptions): Promise<BackupReport> {
  const folder = dataFolder(options.data);
  if (!existsSync(folder.databaseFile)) throw new BackupError('NOT_A_DATA_FOLDER', `there is no Yagura data folder at ${options.data} (no ${STORE_FILE} in it)`);
  const to = path.resolve(options.to);
  if (to === folder.dir || to.startsWith(`${folder.dir}${path.sep}`)) throw new BackupError('BACKUP_TARGET_NOT_EMPTY', `the backup cannot go inside the data folder ${folder.dir}`);
  const { created } = await emptyFolder(to, 'BACKUP_TARGET_NOT_EMPTY');
  try {
    return await takeBackup(options, folder, to);
  } catch (error) {
    for (const entry of await readdir(to).catch(() => [])) await rm(path.join(to, entry), { recursive: true, force: true });
    if (created) await rmdir(to).catch(() => undefined);
    throw error;
  }
}

async function takeBackup(options: BackupOptions, folder: DataFolder, to: string): Promise<BackupReport> {
  const files: ManifestFile[] = [];
  const storeCopy = path.join(to, STORE_FILE);
  const snapshot = await snapshotSqlite(folder.databaseFile, storeCopy, options.events?.pages);
  // The copy is read back: it must hold what the snapshot counted (a restore also runs SQLite's quick_check).
  const copied = countSqlite(storeCopy);
  if (JSON.stringify(copied) !== JSON.stringify(snapshot.contents)) {
    throw new Error(`the copied store holds ${JSON.stringify(copied)}, the snapshot counted ${JSON.stringify(snapshot.contents)}`);
  }
  files.push({ path: STORE_FILE, ...(await hashFile(storeCopy)) });

  let archive: Manifest['archive'];
  let vanished = 0;
  // The archive the folder's server writes, as the folder records it: a bucket is named, not copied.
  const target = recordedArchiveTarget(folder.dir);
  if (target !== undefined && target !== 'local') {
    archive = { kind: 's3', url: target };
  } else {
    const outbox = new Set(snapshot.outbox.map((o) => archiveKey(o)));
    const objects = (await listFiles(folder.archiveDir, new Set([STAGING]))).filter((rel) => inSnapshot(rel, snapshot.takenAt, outbox));
    let bytes = 0;
    let done = 0;
    // Objects are small and many: several copies at a time keep the disk busy.
    const copies = await eachParallel(objects, COPY_PARALLEL, async (rel) => {
      try {
        const c = await hashedCopy(path.join(folder.archiveDir, ...rel.split('/')), path.join(to, ARCHIVE_DIR, ...rel.split('/')));
        bytes += c.bytes;
        return { path: `${ARCHIVE_DIR}/${rel}`, ...c };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        vanished++;
        return undefined;
      } finally {
        options.events?.objects?.(++done, objects.length);
      }
    });
    for (const c of copies) if (c !== undefined) files.push(c);
    archive = { kind: 'local', objects: objects.length - vanished, bytes };
  }

  let masterKey: Manifest['masterKey'];
  const keyFile = path.join(folder.dir, KEY_FILE);
  if (options.masterKeyFromEnv) masterKey = 'environment';
  else if (options.includeMasterKey && existsSync(keyFile)) {
    files.push({ path: KEY_FILE, ...(await hashedCopy(keyFile, path.join(to, KEY_FILE))) });
    masterKey = 'included';
  } else masterKey = 'excluded';

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    takenAt: new Date(snapshot.takenAt).toISOString(),
    finishedAt: new Date().toISOString(),
    source: folder.dir,
    store: { kind: 'sqlite', file: STORE_FILE, contents: snapshot.contents },
    archive,
    masterKey,
    files,
  };
  await syncTree(to);
  // Written last, under a temporary name, then renamed: a backup folder with a manifest is a finished backup.
  const temporary = path.join(to, `${MANIFEST_FILE}.partial`);
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await fsync(temporary);
  await rename(temporary, path.join(to, MANIFEST_FILE));
  await fsync(to);
  return { manifest, dir: to, vanished };
}
