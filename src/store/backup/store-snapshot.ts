// What a backup takes of the store: a consistent copy of its file as of one instant, and what that copy holds.
import type { ArchiveObject } from '../../archive/archive.js';

/** Counts recorded in the manifest and checked again after a restore. */
export interface SnapshotContents {
  /** Current findings. */
  readonly findings: number;
  /** Stored versions, current ones included. */
  readonly versions: number;
  readonly auditEntries: number;
}

export interface StoreSnapshot {
  /** Epoch ms when the snapshot's read began: every commit acknowledged before it is in the copy, none after. */
  readonly takenAt: number;
  readonly contents: SnapshotContents;
  /** Archive objects still open or not yet written at that instant (the restored store writes them at its first start). */
  readonly outbox: ReadonlyArray<Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>>;
}
