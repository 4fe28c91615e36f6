// The one call site of the store's removal: retention hands it a batch of findings past their retention, and it
// removes each with every trace it has in the store, in one transaction, or none of them.
import type { FindingKey } from '../findings/finding.js';

/** A finding a pass selected, with the `updatedAt` it was selected at. */
export interface ExpiredFinding {
  readonly key: FindingKey;
  /** Epoch ms of the current version's `updatedAt` when it was selected. */
  readonly updatedAt: number;
}

/**
 * Removes the findings of one batch, each with its history, free text, remote parties, path values and facets, in
 * one short transaction; a finding whose current version changed since it was selected (a newer `updatedAt`) is
 * left alone. Resolves with how many were removed.
 */
export type RemoveFindings = (batch: readonly ExpiredFinding[]) => Promise<number>;
