// The contract of copying one backend into another (`yagura migrate`): a source reads its records out a page at a
// time, a sink writes them in a transaction per page with a mark of how far the copy has come.
import type { CountedKind, RecordKind, TransferRecords } from './transfer-records.js';

/** Where a page ended, in the reading backend's own order (its key columns' values): only that backend reads it back. */
export type Position = ReadonlyArray<string | number>;

export interface RecordPage<K extends RecordKind> {
  readonly records: ReadonlyArray<TransferRecords[K]>;
  /** The position of the last record (absent when there were none). */
  readonly last?: Position;
}

/** Reads a backend's records out, kind by kind, a page at a time. */
export interface RecordSource {
  /** Records of `kind` after `after` (a `last` this source returned), in its order, at most `limit`. */
  read<K extends RecordKind>(kind: K, after: Position | undefined, limit: number): Promise<RecordPage<K>>;
  count(kind: CountedKind): Promise<number>;
}

/** How far the copy of one kind has come, kept in the target with the records it covers. */
export interface CopyMark {
  /** Identifies the source store (never one of its secrets). */
  readonly source: string;
  /** Where the source is, for messages. */
  readonly from: string;
  /** The source's position of the last record written. */
  readonly after?: Position;
  /** Every record of the kind is written. */
  readonly done: boolean;
}

/** Writes records copied from another backend, as they were read. */
export interface RecordSink {
  /**
   * Writes the records and `mark` in one transaction, so a copy stopped at any moment resumes after the last
   * page written, never writing one twice. Records already present (a built-in role, a secret made at a start)
   * take the source's values.
   */
  write<K extends RecordKind>(kind: K, records: ReadonlyArray<TransferRecords[K]>, mark: CopyMark): Promise<void>;
  /** The marks written so far, by kind. */
  marks(): Promise<ReadonlyMap<RecordKind, CopyMark>>;
}

export type TransferErrorCode = 'TARGET_NOT_EMPTY' | 'TARGET_FROM_OTHER_SOURCE' | 'INVALID_RECORD' | 'COPY_MISMATCH' | 'SOURCE_NOT_ARCHIVED';

/** A copy that cannot start, a record that cannot be written, or a copy that does not match its source. */
export class TransferError extends Error {
  constructor(
    readonly code: TransferErrorCode,
    message: string,
  ) {
    super(message);
  }
}
