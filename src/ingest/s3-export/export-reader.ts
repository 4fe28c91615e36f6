// Reads export objects on a worker thread (gunzip, JSON, validation), so that the importing thread only stores.
import type { Worker } from 'node:worker_threads';
import { findingFromWire, type Finding, type FindingWire } from '../../findings/finding.js';
import { startWorker } from '../../runtime/start-worker.js';
import type { ExportFile } from './export-files.js';

export type PartRequest = { readonly kind: 'read'; readonly index: number; readonly file: ExportFile } | { readonly kind: 'more'; readonly index: number };

/** Up to a few thousand lines of one file, classified; a file's parts arrive in order, the last with `done`. */
export interface FilePart {
  readonly index: number;
  readonly done: boolean;
  /** Lines (or array items) read in this part. */
  readonly read: number;
  readonly lastLine: number;
  /** Compressed bytes of the file consumed so far. */
  readonly bytesRead: number;
  readonly findings: FindingWire[];
  /** `findings[i]` came from line `lines[i]`. */
  readonly lines: number[];
  readonly ignored: number;
  readonly rejected: Array<{ line: number; code: string; message: string }>;
  /** The file could not be read on (I/O error, corrupt gzip); the part holds what came before. */
  readonly error?: string;
}

export interface ReadPart extends Omit<FilePart, 'findings'> {
  readonly findings: Finding[];
}

/**
 * Compressed bytes asked for ahead of the file being imported, so the worker reads on while this thread
 * stores a batch: about 40,000 findings of GuardDuty's export, more than one batch.
 */
const BYTES_AHEAD = 16 * 1024 * 1024;

export class ExportReader {
  private readonly worker: Worker;
  private readonly files: readonly ExportFile[];
  private requested = 0;
  /** Compressed bytes of files 0..requested-1, and of the files before the one being imported. */
  private requestedBytes = 0;
  private consumedBytes = 0;
  private readonly arrived = new Map<number, FilePart[]>();
  private waiting: { index: number; resolve: (part: FilePart) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(files: readonly ExportFile[]) {
    this.files = files;
    this.worker = startWorker(import.meta.url, 'parse-worker');
    this.worker.on('message', (part: FilePart) => {
      if (this.waiting?.index === part.index) {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(part);
        return;
      }
      const parts = this.arrived.get(part.index) ?? [];
      parts.push(part);
      this.arrived.set(part.index, parts);
    });
    this.worker.on('error', (error) => this.fail(new Error(`the import's reader thread failed: ${error.message}`)));
    this.worker.on('exit', () => this.fail(new Error("the import's reader thread stopped")));
  }

  /** The parts of file `index`, in order; files must be asked for in order, each read to its end. */
  async *parts(index: number): AsyncGenerator<ReadPart> {
    while (this.requested < this.files.length && (this.requested <= index || this.requestedBytes - this.consumedBytes < BYTES_AHEAD)) {
      const file = this.files[this.requested]!;
      this.worker.postMessage({ kind: 'read', index: this.requested, file } satisfies PartRequest);
      this.requested++;
      this.requestedBytes += file.bytes;
    }
    for (;;) {
      const part = await this.next(index);
      if (!part.done) this.worker.postMessage({ kind: 'more', index } satisfies PartRequest);
      yield { ...part, findings: part.findings.map(findingFromWire) };
      if (part.done) {
        this.consumedBytes += this.files[index]!.bytes;
        return;
      }
    }
  }

  private next(index: number): Promise<FilePart> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.arrived.get(index);
    const part = queued?.shift();
    if (queued?.length === 0) this.arrived.delete(index);
    if (part !== undefined) return Promise.resolve(part);
    return new Promise((resolve, reject) => {
      this.waiting = { index, resolve, reject };
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
