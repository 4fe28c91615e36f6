// The behaviour every FindingStore must show; each backend runs this suite unchanged against a real database.
import { describe } from 'node:test';
import { describeAggregations } from './conformance/aggregations.js';
import { describeFreeText } from './conformance/free-text.js';
import type { StoreFactory } from './conformance/harness.js';
import { describeIdentity } from './conformance/identity.js';
import { describeOutboxAndChanges } from './conformance/outbox-and-changes.js';
import { describePaths } from './conformance/paths.js';
import { describeSearchSemantics } from './conformance/search-semantics.js';
import { describeSortAndCursors } from './conformance/sort-and-cursors.js';
import { describeTime } from './conformance/time.js';
import { describeRemoval } from './conformance/removal.js';

export type { OpenedStore, StoreFactory } from './conformance/harness.js';

const PARTS = {
  identity: describeIdentity,
  'outbox-and-changes': describeOutboxAndChanges,
  'search-semantics': describeSearchSemantics,
  paths: describePaths,
  'free-text': describeFreeText,
  time: describeTime,
  'sort-and-cursors': describeSortAndCursors,
  aggregations: describeAggregations,
  removal: describeRemoval,
} as const satisfies Record<string, (open: StoreFactory) => void>;

/** One part of the suite; a backend under construction may run some of them. */
export type ConformancePart = keyof typeof PARTS;
export const CONFORMANCE_PARTS = Object.keys(PARTS) as ConformancePart[];

/**
 * Registers the conformance tests for one backend. `open` gives a fresh, empty store each time; tests that only
 * read share one store per group. Every assertion goes through the FindingStore interface.
 */
export function describeFindingStore(name: string, open: StoreFactory, parts: readonly ConformancePart[] = CONFORMANCE_PARTS): void {
  describe(`FindingStore conformance: ${name}`, () => {
    for (const part of parts) PARTS[part](open);
  });
}
