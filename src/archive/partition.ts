// The archive's layout of stored versions: which object a version joins (its account, region and UTC day of
// arrival) and the name an object is given when it opens.
import { randomUUID } from 'node:crypto';
import type { FindingKey } from '../findings/finding.js';

/** Versions of one partition go to one object at a time: GuardDuty's export layout is per account, region and day. */
export interface ArchivePartition {
  readonly accountId: string;
  readonly region: string;
  /** `YYYY/MM/DD`, UTC. */
  readonly day: string;
}

/** `YYYY/MM/DD` of an epoch-ms instant, UTC: the archive's day partition. */
export function archiveDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

/** The partition of a version of the finding `key` received at `receivedAt` (epoch ms). */
export function archivePartition(key: FindingKey, receivedAt: number): ArchivePartition {
  return { accountId: key.accountId, region: key.region, day: archiveDay(receivedAt) };
}

/** A partition as one string, to group versions by partition. */
export function partitionId(partition: ArchivePartition): string {
  return `${partition.accountId}/${partition.region}/${partition.day}`;
}

/**
 * An object's name, fixed when it opens: its opening time (so names sort by time in a listing) and a random part
 * (so no two objects of a partition share a name).
 */
export function objectName(openedAt: number): string {
  const stamp = new Date(openedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomUUID()}`;
}
