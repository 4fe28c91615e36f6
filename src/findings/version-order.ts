// Which of two versions of one finding is newer: GuardDuty bumps updatedAt and service.count on every update.
import type { Finding } from './finding.js';

export interface VersionStamp {
  readonly updatedAt: number;
  readonly count: number;
  readonly hash: string;
}

/**
 * Total order on versions: later `updatedAt`, then higher `count`, then the content hash as a tie-breaker,
 * so every replica picks the same current version whatever order versions arrive in.
 */
export function compareVersions(a: VersionStamp, b: VersionStamp): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  if (a.count !== b.count) return a.count - b.count;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

export function stampOf(f: Finding): VersionStamp {
  return { updatedAt: f.updatedAt, count: f.count, hash: f.hash };
}
