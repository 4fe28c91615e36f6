// Archive in a local folder. Objects are compressed and written to a staging folder, renamed into place once the
// store's commit is durable, and made durable themselves, all on a thread of the archive's own (archive-worker.ts).
import { rmSync } from 'node:fs';
import { open as openFile, opendir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../runtime/start-worker.js';
import { archiveKey, parseArchiveKey, type ArchiveObject } from '../archive.js';
import { encodeObjects, memberInputs } from '../encoding.js';
import type { ArchiveRef, StoredArchive } from '../stored-objects.js';
import type { ArchiveReply, ArchiveRequest } from './archive-protocol.js';

/**
 * Objects being written, under the archive root but outside `AWSLogs/`: readers of the export layout never see a
 * partial object, and what a crash leaves behind is in one place, removed at the next open (the store's outbox
 * writes those objects again).
 */
const STAGING = '.staging';

/** A request before `call` numbers it (`Omit` applied to each kind of request). */
type WithoutCall<T> = T extends unknown ? Omit<T, 'call'> : never;
type Request = WithoutCall<ArchiveRequest>;

/**
 * Writes on a thread of its own, whose event loop does nothing else: the importing thread's event loop is held for
 * seconds by each batch's commit, and every step of a write (each 16 KiB of gzip output, each file call) waited for
 * a turn of it. Measured on a 277k-version import: a 48 MB object took 5.3 s to compress that way, against 0.3 s
 * alone, and the archive, not the store, set the import's pace.
 */
export class LocalArchive implements StoredArchive {
  private readonly root: string;
  private readonly staging: string;
  private worker: Worker | undefined;
  private readonly calls = new Map<number, { resolve: (bytes: number) => void; reject: (error: Error) => void }>();
  private callSequence = 0;
  private writeSequence = 0;

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

  async write(objects: readonly ArchiveObject[], ready: Promise<void> = Promise.resolve()): Promise<number> {
    if (objects.length === 0) {
      await ready;
      return 0;
    }
    const files = objects.map((o) => this.pathOf(o));
    const { bytes, ends } = encodeObjects(objects);
    const write = ++this.writeSequence;
    const staged = files.map((file, i) => ({ file, start: ends[i - 1] ?? 0, end: ends[i]! }));
    // The bytes are moved to the archive's thread, not copied.
    const written = await this.call({ kind: 'stage', write, bytes: bytes.buffer as ArrayBuffer, objects: staged }, [bytes.buffer as ArrayBuffer]);
    try {
      await ready;
    } catch (error) {
      // The commit may be lost: its objects must never appear. A failure to remove them is left to the next open.
      await this.call({ kind: 'discard', write }).catch(() => undefined);
      throw error;
    }
    await this.call({ kind: 'publish', write });
    return written;
  }

  async put(object: Omit<ArchiveObject, 'lines'>, parts: AsyncIterable<ReadonlyArray<string | Uint8Array>>): Promise<number> {
    const file = this.pathOf(object);
    const write = ++this.writeSequence;
    await this.call({ kind: 'open', write, file });
    let written = 0;
    try {
      for await (const bytes of memberInputs(parts)) {
        written += await this.call({ kind: 'append', write, bytes: bytes.buffer as ArrayBuffer }, [bytes.buffer as ArrayBuffer]);
      }
      await this.call({ kind: 'finish', write });
    } catch (error) {
      await this.call({ kind: 'discard', write }).catch(() => undefined);
      throw error;
    }
    await this.call({ kind: 'publish', write });
    return written;
  }

  async read(object: Omit<ArchiveObject, 'lines'>): Promise<AsyncIterable<Uint8Array> | undefined> {
    const file = this.pathOf(object);
    try {
      const handle = await openFile(file, 'r');
      // The stream closes the handle when it ends or fails.
      return handle.createReadStream() as AsyncIterable<Uint8Array>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async remove(object: Omit<ArchiveObject, 'lines'>): Promise<void> {
    const file = this.pathOf(object);
    try {
      await unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // The folder's entry is gone durably once the folder is fsynced.
    const folder = await openFile(path.dirname(file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  async *list(): AsyncIterable<ArchiveRef> {
    yield* this.walk(path.join(this.root, 'AWSLogs'), 'AWSLogs');
  }

  /** Files under `dir` (its key `prefix`) in key order; a folder that does not exist holds none. */
  private async *walk(dir: string, prefix: string): AsyncGenerator<ArchiveRef> {
    const entries: { name: string; dir: boolean }[] = [];
    try {
      for await (const e of await opendir(dir)) entries.push({ name: e.name, dir: e.isDirectory() });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const key = `${prefix}/${e.name}`;
      if (e.dir) yield* this.walk(path.join(dir, e.name), key);
      else {
        const ref = parseArchiveKey(key);
        if (ref) yield ref;
      }
    }
  }

  async *objectsOf(accountId: string): AsyncIterable<Omit<ArchiveObject, 'lines'>> {
    const base = path.join(this.root, 'AWSLogs', accountId);
    if (!base.startsWith(this.root + path.sep) || accountId.includes('/') || accountId.includes('\\')) return;
    let entries: string[];
    try {
      entries = await readdir(base, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const object = parseArchiveKey(`AWSLogs/${accountId}/${entry.split(path.sep).join('/')}`);
      if (object !== undefined && object.accountId === accountId) yield object;
    }
  }

  /** Resolves with the compressed bytes a `stage` or `append` request wrote (0 for the others). */
  private call(request: Request, transfer: ArrayBuffer[] = []): Promise<number> {
    const worker = this.thread();
    const call = ++this.callSequence;
    return new Promise<number>((resolve, reject) => {
      this.calls.set(call, { resolve, reject });
      // Held open while a call is in flight, so that awaiting one keeps the process alive.
      worker.ref();
      worker.postMessage({ ...request, call } as ArchiveRequest, transfer);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, 'archive-worker', { workerData: { root: this.root, staging: this.staging } });
    worker.on('message', (reply: ArchiveReply) => {
      const pending = this.calls.get(reply.call);
      this.calls.delete(reply.call);
      if (this.calls.size === 0) worker.unref();
      if (!pending) return;
      if (reply.error === undefined) pending.resolve(reply.bytes ?? 0);
      else pending.reject(Object.assign(new Error(reply.error.message), reply.error.code !== undefined && { code: reply.error.code }));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.rejectAll(error);
    };
    worker.on('error', (error) => fail(new Error(`the archive's thread failed: ${error.message}`)));
    worker.on('exit', () => fail(new Error("the archive's thread stopped")));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private rejectAll(error: Error): void {
    const pending = [...this.calls.values()];
    this.calls.clear();
    for (const p of pending) p.reject(error);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.removeAllListeners('exit');
    await worker.terminate();
    this.rejectAll(new Error('the archive was closed'));
  }
}
