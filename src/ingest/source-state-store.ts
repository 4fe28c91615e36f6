// What collectors keep in the store: the export objects read (their checkpoint) and the messages they parked.

/** An export object a listing collector has dealt with: read and stored, or refused for good (its content). */
export interface ObjectMark {
  readonly key: string;
  /** `ACCOUNT/REGION` of its key. */
  readonly partition: string;
  /** `YYYY/MM/DD` of its key. */
  readonly day: string;
  /** The object's ETag when read: the same key with another ETag (rewritten) is read again. */
  readonly etag: string;
  /** `stored`, or the code it was refused with (NOT_GZIP, TRUNCATED_GZIP, …). */
  readonly outcome: string;
}

/** A queue message that could not be used, kept with its reason instead of being retried forever. */
export interface ParkedMessage {
  readonly messageId: string;
  /** The message body, at most `MAX_PARKED_BODY` characters. */
  readonly body: string;
  readonly code: string;
  readonly reason: string;
  readonly at: number;
}

/** SQS bodies are at most 256 KiB; a parked body is cut to this. */
export const MAX_PARKED_BODY = 262_144;

export interface SourceStateStore {
  /** Per partition (`ACCOUNT/REGION`), the newest day of an object marked: where the next listing resumes. */
  checkpoints(source: string): Promise<ReadonlyMap<string, string>>;
  /** The objects marked in `partition` from `fromDay` on, key → ETag. */
  marked(source: string, partition: string, fromDay: string): Promise<ReadonlyMap<string, string>>;
  /** Marks an object (again: the new ETag and outcome replace the old). */
  mark(source: string, object: ObjectMark, now: number): Promise<void>;
  /** Forgets the marks of `partition` older than `beforeDay` (behind the look-back, never listed again). */
  prune(source: string, partition: string, beforeDay: string): Promise<number>;
  /** Keeps a message that could not be used (a message id parked twice keeps the latest reason). */
  park(source: string, message: ParkedMessage): Promise<void>;
  /** Parked messages, newest first. */
  parked(source: string, limit: number): Promise<readonly ParkedMessage[]>;
}
