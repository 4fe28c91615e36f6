// What a backend gives the facets: its findings' catalogue facts by slot, and how it orders and sums (semantics).
import type { FacetParty, FacetRow } from './facet-columns.js';
import type { FacetSemantics } from './facet-semantics.js';

/** One finding's facts: its row (`rowid` is its slot) and its remote parties. */
export interface FacetEntry {
  readonly row: FacetRow;
  readonly parties: readonly FacetParty[];
}

/**
 * A backend's findings as the facets read them. Every finding has a slot, a small integer the backend gives it
 * once and never gives another (SQLite's rowid, PostgreSQL's rid): the facet arrays are indexed by it, so the
 * slots must be dense — numbered from 1 up with few holes.
 */
export interface FacetSource {
  readonly semantics: FacetSemantics;
  /** One past the highest slot given so far. */
  slotLimit(): Promise<number>;
  /** The findings in slots [from, to). */
  slice(from: number, to: number): Promise<FacetEntry[]>;
  /** The current facts of these slots; a slot missing from the answer holds no finding any more. */
  read(slots: readonly number[]): Promise<FacetEntry[]>;
  /**
   * For a store other processes write too: the slots their commits changed, so that the facets follow them.
   * Absent when this process is the only writer (it refreshes what its own writes changed).
   */
  readonly feed?: FacetFeed;
}

/** The slots changed by commits, in commit order, from a position on. */
export interface FacetFeed {
  /** The position after every commit so far. */
  position(): Promise<number>;
  /**
   * Slots changed after `position`, at most `limit` changes, and the position after them; `gap` when changes
   * after `position` were dropped before they were read (the facets must then be loaded again).
   */
  since(position: number, limit: number): Promise<{ readonly position: number; readonly slots: readonly number[] } | 'gap'>;
}
