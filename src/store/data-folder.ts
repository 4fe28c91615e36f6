// The embedded data folder: where the store and archive live, and the lock that gives one process ownership.
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';

export interface DataFolder {
  readonly dir: string;
  readonly databaseFile: string;
  readonly archiveDir: string;
}

export function dataFolder(dir: string): DataFolder {
  const resolved = path.resolve(dir);
  return { dir: resolved, databaseFile: path.join(resolved, 'yagura.db'), archiveDir: path.join(resolved, 'archive') };
}

interface LockContent {
  readonly pid: number;
  readonly owner: string;
  readonly url?: string;
}

/** Raised when another live process owns the folder; `url` is the server's address when it is a server. */
export class DataFolderBusyError extends Error {
  readonly code = 'DATA_FOLDER_BUSY';
  constructor(
    readonly dir: string,
    readonly holder: LockContent,
  ) {
    super(
      holder.url
        ? `the data folder ${dir} is held by a running server at ${holder.url}; use --url ${holder.url} with --api-key (or YAGURA_URL and YAGURA_API_KEY) instead of --data`
        : `the data folder ${dir} is in use by another yagura process (${holder.owner}, pid ${holder.pid}); wait for it to finish`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders this process holds: a lock file with our own pid is ours only if listed here (pids repeat in containers). */
const heldHere = new Set<string>();

export interface DataLock {
  /** Records the server's URL so that CLI verbs can point users to it. */
  setUrl(url: string): void;
  release(): void;
}

/** Takes ownership of the folder, replacing a lock left by a process that no longer runs. */
export function lockDataFolder(folder: DataFolder, owner: string): DataLock {
  mkdirSync(folder.dir, { recursive: true, mode: 0o750 });
  const file = path.join(folder.dir, 'yagura.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o640);
      let content: LockContent = { pid: process.pid, owner };
      writeFileSync(fd, JSON.stringify(content));
      closeSync(fd);
      heldHere.add(file);
      return {
        setUrl(url: string): void {
          content = { ...content, url };
          writeFileSync(file, JSON.stringify(content));
        },
        release(): void {
          heldHere.delete(file);
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: LockContent | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockContent;
      } catch {
        holder = undefined;
      }
      const ours = holder?.pid === process.pid && heldHere.has(file);
      const otherLive = holder !== undefined && typeof holder.pid === 'number' && holder.pid !== process.pid && alive(holder.pid);
      if (holder && (ours || otherLive)) {
        throw new DataFolderBusyError(folder.dir, holder);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock the data folder ${folder.dir}`);
}
