// The archive contract: whole objects in GuardDuty's export layout, under names fixed before they are written.
import type { ArchivePartition } from './partition.js';

/** One archive object: its partition, its name and its lines. */
export interface ArchiveObject extends ArchivePartition {
  /** Object name without extension; fixed when the object is opened, so rewriting it after a crash is idempotent. */
  readonly name: string;
  /** Bare finding documents as JSON, text or its UTF-8 bytes (`Finding.jsonBytes`), one per line of the object. */
  readonly lines: ReadonlyArray<string | Uint8Array>;
}

export interface Archive {
  /**
   * Writes each object durably and atomically (a reader sees all of it or none of it). Writing an object
   * with the same partition and name again replaces it with identical content, which makes replay after a
   * crash idempotent. No object appears under its name before `ready` resolves (the store's commit of its
   * versions is durable): an object of a commit lost in a power cut must not exist. Its bytes may be written
   * and flushed before, beside the store's own flush. Resolves with the bytes written (compressed).
   */
  write(objects: readonly ArchiveObject[], ready?: Promise<void>): Promise<number>;
  /**
   * Writes one object from its lines given in parts, durably and atomically under its name, holding only a part
   * in memory at a time (each part becomes a gzip member of its own; concatenated members are one valid gzip
   * stream). The same parts give the same bytes, so writing it again after a crash replaces it identically.
   * Resolves with the bytes written (compressed).
   */
  put(object: Omit<ArchiveObject, 'lines'>, parts: AsyncIterable<ReadonlyArray<string | Uint8Array>>): Promise<number>;
  /** The object's stored bytes (gzip members), streamed; undefined when there is no such object. */
  read(object: Omit<ArchiveObject, 'lines'>): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Deletes the object, durably; nothing happens when there is no such object. */
  remove(object: Omit<ArchiveObject, 'lines'>): Promise<void>;
  /** Every object of an account, in no particular order. */
  objectsOf(accountId: string): AsyncIterable<Omit<ArchiveObject, 'lines'>>;
  close(): Promise<void>;
}

/** `AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<name>.jsonl.gz` read back into its parts; undefined for any other key. */
export function parseArchiveKey(key: string): Omit<ArchiveObject, 'lines'> | undefined {
  const m = /^AWSLogs\/([A-Za-z0-9-]+)\/GuardDuty\/([a-z0-9-]+)\/(\d{4}\/\d{2}\/\d{2})\/([^/]+)\.jsonl\.gz$/.exec(key);
  if (m === null) return undefined;
  return { accountId: m[1]!, region: m[2]!, day: m[3]!, name: m[4]! };
}

/** The object key in GuardDuty's export layout: `AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<name>.jsonl.gz`. */
export function archiveKey(object: Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>): string {
  return `AWSLogs/${object.accountId}/GuardDuty/${object.region}/${object.day}/${object.name}.jsonl.gz`;
}
