// The archive contract: append-only objects in GuardDuty's export layout, local folder or S3 bucket alike.
import type { ArchiveObject } from '../store/finding-store.js';

export interface Archive {
  /**
   * Writes each object durably and atomically (a reader sees all of it or none of it). Writing an object
   * with the same partition and name again replaces it with identical content, which makes replay after a
   * crash idempotent. No object appears under its name before `ready` resolves (the store's commit of its
   * versions is durable): an object of a commit lost in a power cut must not exist. Its bytes may be written
   * and flushed before, beside the store's own flush.
   */
  write(objects: readonly ArchiveObject[], ready?: Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The object key in GuardDuty's export layout: `AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<name>.jsonl.gz`. */
export function archiveKey(object: Pick<ArchiveObject, 'accountId' | 'region' | 'day' | 'name'>): string {
  return `AWSLogs/${object.accountId}/GuardDuty/${object.region}/${object.day}/${object.name}.jsonl.gz`;
}

/** One bare finding per line, as GuardDuty exports. */
export function encodeLines(object: ArchiveObject): string {
  return object.lines.length === 0 ? '' : `${object.lines.join('\n')}\n`;
}
