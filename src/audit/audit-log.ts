// The audit log's contract: entries are recorded (append-only, never changed) and searched newest first.
import type { AuditEntry, StoredAuditEntry } from './audit-entry.js';
import type { AuditCondition } from './audit-query.js';

/** Where a page ended: the next page starts strictly older than this. */
export interface AuditPosition {
  readonly time: number;
  readonly seq: number;
}

export interface AuditSearchRequest {
  readonly query: AuditCondition;
  /** Inclusive lower bound on `time`, epoch ms. */
  readonly from?: number;
  /** Exclusive upper bound on `time`, epoch ms. */
  readonly to?: number;
  readonly size: number;
  readonly after?: AuditPosition;
}

export interface AuditPage {
  /** Newest first. */
  readonly entries: readonly StoredAuditEntry[];
  /** Set when more entries match. */
  readonly next?: AuditPosition;
}

export interface AuditLog {
  /**
   * Queues an entry; it is written with others shortly after, so recording never waits for the disk. Never throws:
   * when the queue is full (or the log closed) the entry is dropped and `false` returned.
   */
  record(entry: AuditEntry): boolean;
  /** Entries matching the request, newest first; entries recorded before the call are included. */
  search(request: AuditSearchRequest): Promise<AuditPage>;
  /** Writes every queued entry. */
  flush(): Promise<void>;
  /** Writes every queued entry and stops the timer; later records are dropped. */
  close(): Promise<void>;
}
