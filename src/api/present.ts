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

function yaguraFields(record: FindingRecord, now: number): PresentedFinding['yagura'] {
  const d = record.derived;
  const times = record.times ?? { createdAt: parseTimestamp(record.doc.createdAt), updatedAt: parseTimestamp(record.doc.updatedAt) };
  const opened = times.createdAt ?? d.firstSeen;
  const closed = d.archived ? times.updatedAt ?? d.lastSeen : now;
  return {
    ...record.key,
    band: d.band,
    firstSeen: new Date(d.firstSeen).toISOString(),
    lastSeen: new Date(d.lastSeen).toISOString(),
    versions: d.versions,
    archived: d.archived,
    timeOpenSeconds: Math.max(0, Math.round((closed - opened) / 1000)),
  };
}

export function presentFinding(record: FindingRecord, now: number): PresentedFinding {
  return { finding: record.doc, yagura: yaguraFields(record, now) };
}

/**
 * `presentFinding` as JSON text. A document the store read as text is inserted as it is, neither parsed nor
 * serialised again: the store holds only what `JSON.stringify` wrote when the finding was accepted.
 */
export function presentFindingJson(record: FindingRecord, now: number): string {
  return `{"finding":${record.json ?? JSON.stringify(record.doc)},"yagura":${JSON.stringify(yaguraFields(record, now))}}`;
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
