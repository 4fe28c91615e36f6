// Batches audit entries in memory and writes them together, so that recording a call never waits for the disk.
import type { AuditEntry } from './audit-entry.js';

export interface AuditQueueOptions {
  /** Writes a batch durably (one transaction); called on the event loop, never concurrently. */
  readonly write: (entries: readonly AuditEntry[]) => void;
  /** Longest an entry waits before its batch is written. */
  readonly flushIntervalMs?: number;
  /** A batch this large is written at once. */
  readonly maxBatch?: number;
  /** Entries held at most; past it new entries are dropped (and reported), never waited for. */
  readonly maxQueued?: number;
  /** Told about each entry written (metrics). */
  readonly onWritten?: (entry: AuditEntry) => void;
  /** Told about each entry dropped because the queue was full or closed. */
  readonly onDropped?: (queued: number) => void;
  /** Told when a batch could not be written; its entries are kept for the next attempt while there is room. */
  readonly onWriteError?: (error: unknown) => void;
}

export const AUDIT_FLUSH_INTERVAL_MS = 200;
export const AUDIT_MAX_BATCH = 500;
export const AUDIT_MAX_QUEUED = 50_000;

export class AuditQueue {
  private queued: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(private readonly options: AuditQueueOptions) {
    this.intervalMs = options.flushIntervalMs ?? AUDIT_FLUSH_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? AUDIT_MAX_BATCH;
    this.maxQueued = options.maxQueued ?? AUDIT_MAX_QUEUED;
  }

  get length(): number {
    return this.queued.length;
  }

  /** Whether the entry was queued (false: dropped). */
  push(entry: AuditEntry): boolean {
    if (this.closed || this.queued.length >= this.maxQueued) {
      this.options.onDropped?.(this.queued.length);
      return false;
    }
    this.queued.push(entry);
    if (this.queued.length >= this.maxBatch) {
      // Written on the next tick, not inside the caller's hook.
      this.schedule(0);
    } else if (this.timer === undefined) this.schedule(this.intervalMs);
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delayMs);
    // A pending audit batch does not keep a finished process alive; close() writes it.
    this.timer.unref();
  }

  /** Writes everything queued now, batch by batch. A failed batch stays queued and is retried on the next timer. */
  flush(): void {
    while (this.queued.length > 0) {
      const batch = this.queued.slice(0, this.maxBatch);
      try {
        this.options.write(batch);
      } catch (error) {
        this.options.onWriteError?.(error);
        if (!this.closed) this.schedule(this.intervalMs);
        return;
      }
      this.queued.splice(0, batch.length);
      if (this.options.onWritten) for (const e of batch) this.options.onWritten(e);
    }
  }

  /** Writes what is queued and refuses later entries. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
