// An erasure: which findings (a KQL query over a time range, or a whole account), who asked and why, how far it
// got, and its receipt. The job is persisted, so an erasure interrupted by a crash resumes where it stopped.
import type { BoundQuery } from '../query/bound.js';
import { noFindingRemovals, type FindingRemovalCounts } from '../store/remove-findings.js';

export type ErasureStatus = 'running' | 'done' | 'failed';

/**
 * Where a running job is: `removing` findings from the stores (the query is kept until this ends), rewriting the
 * `archive`, then `done`. A job resumed after a crash starts again at its phase.
 */
export type ErasurePhase = 'removing' | 'archive' | 'done';

/** What to erase. The query and its scope are personal data too: they are cleared once the removal phase ends. */
export type ErasureTarget =
  | {
      readonly kind: 'query';
      /** The query as bound when the erasure was asked for, AND-ed with the caller's erase scope. */
      readonly query?: BoundQuery;
      /** Epoch ms, inclusive, on `updatedAt`. */
      readonly from?: number;
      /** Epoch ms, exclusive, on `updatedAt`. */
      readonly to?: number;
    }
  | { readonly kind: 'account'; readonly accountId: string };

/** Counts per place: the stores' (removeFindings) and the archive's. */
export interface ErasureCounts extends FindingRemovalCounts {
  /** Archive objects rewritten without the erased lines. */
  readonly archiveObjectsRewritten: number;
  /** Archive objects deleted (all their lines erased, or every object of an erased account). */
  readonly archiveObjectsDeleted: number;
  /** Archive lines dropped from rewritten objects. */
  readonly archiveLines: number;
}

export function noErasureCounts(): { -readonly [K in keyof ErasureCounts]: number } {
  return { ...noFindingRemovals(), archiveObjectsRewritten: 0, archiveObjectsDeleted: 0, archiveLines: 0 };
}

export interface ErasureJob {
  /** `er-` and a random UUID. */
  readonly id: string;
  readonly status: ErasureStatus;
  readonly phase: ErasurePhase;
  readonly target: ErasureTarget;
  /** Why, as the requester wrote it (kept with the receipt). */
  readonly reason: string;
  /** ARN of the principal who asked. */
  readonly requestedBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number;
  /** Findings selected for erasure so far (each key counted once). */
  readonly keys: number;
  readonly counts: ErasureCounts;
  /**
   * The receipt's digest, once done: SHA-256 (hex) of the SHA-256 digests of the erased keys (findings/key-digest.ts),
   * sorted and concatenated. Whoever holds the list of keys can recompute it; the digest alone names none.
   */
  readonly keysDigest?: string;
  readonly error?: string;
}
