// Batches audit entries in memory and writes them together over the network, one batch at a time, so that
// recording a call never waits for the database. The asynchronous twin of audit/audit-queue.ts, with its options.
import type { AuditEntry } from '../../audit/audit-entry.js';
import { AUDIT_FLUSH_INTERVAL_MS, AUDIT_MAX_BATCH, AUDIT_MAX_QUEUED, type AuditQueueOptions } from '../../audit/audit-queue.js';

export interface AuditBatchesOptions extends Omit<AuditQueueOptions, 'write'> {
  /** Writes a batch in one transaction; never called while another batch is being written. */
  readonly write: (entries: readonly AuditEntry[]) => Promise<void>;
}

export class AuditBatches {
  private queued: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private draining: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(private readonly options: AuditBatchesOptions) {
    this.intervalMs = options.flushIntervalMs ?? AUDIT_FLUSH_INTERVAL_MS;
    this.maxBatch = options.maxBatch ?? AUDIT_MAX_BATCH;
    this.maxQueued = options.maxQueued ?? AUDIT_MAX_QUEUED;
  }

  get length(): number {
    return this.queued.length;
  }

  /** Whether the entry was queued (false: dropped, because the queue is full or closed). */
  push(entry: AuditEntry): boolean {
    if (this.closed || this.queued.length >= this.maxQueued) {
      this.options.onDropped?.(this.queued.length);
      return false;
    }
    this.queued.push(entry);
    if (this.queued.length >= this.maxBatch) this.schedule(0);
    else if (this.timer === undefined) this.schedule(this.intervalMs);
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    // A pending batch does not keep a finished process alive; close() writes it.
    this.timer.unref();
  }

  /**
   * Writes everything queued, including entries queued while it runs. A batch that fails stays queued and is
   * retried on the next timer (reported to onWriteError); the promise resolves either way.
   */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.slice(0, this.maxBatch);
      try {
        await this.options.write(batch);
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
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
