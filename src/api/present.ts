// How findings look in API answers: GuardDuty's document untouched, Yagura's derived fields beside it.
import type { FindingRecord, FindingWithHistory } from '../store/finding-store.js';
import { parseTimestamp } from '../findings/timestamp.js';

export interface PresentedFinding {
  readonly finding: Record<string, unknown>;
  readonly yagura: {
    readonly accountId: string;
    readonly region: string;
    readonly id: string;
    readonly band: string;
    readonly firstSeen: string;
    readonly lastSeen: string;
    readonly versions: number;
    readonly archived: boolean;
    /** Seconds from GuardDuty's createdAt (or first seen) until archived, or until now while open. */
    readonly timeOpenSeconds: number;
  };
}

export function presentFinding(record: FindingRecord, now: number): PresentedFinding {
  const d = record.derived;
  const opened = parseTimestamp(record.doc.createdAt) ?? d.firstSeen;
  const closed = d.archived ? parseTimestamp(record.doc.updatedAt) ?? d.lastSeen : now;
  return {
    finding: record.doc,
    yagura: {
      ...record.key,
      band: d.band,
      firstSeen: new Date(d.firstSeen).toISOString(),
      lastSeen: new Date(d.lastSeen).toISOString(),
      versions: d.versions,
      archived: d.archived,
      timeOpenSeconds: Math.max(0, Math.round((closed - opened) / 1000)),
    },
  };
}

export function presentWithHistory(record: FindingWithHistory, now: number): PresentedFinding & { history: unknown[] } {
  return {
    ...presentFinding(record, now),
    history: record.history.map((v) => ({
      updatedAt: new Date(v.updatedAt).toISOString(),
      count: v.count,
      receivedAt: new Date(v.receivedAt).toISOString(),
      hash: v.hash,
      finding: v.doc,
    })),
  };
}
