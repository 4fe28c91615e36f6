// The candidates for one page of a search sorted by `updatedAt`, chosen in memory: the store then reads and orders
// only those rows. A query the facets can evaluate (a caller's account scope included) needs no walk of an index
// that meets the caller's findings one in ten or one in a hundred.
import type { BoundQuery } from '../../query/bound.js';
import type { FacetColumns } from './facet-columns.js';
import { facetPlan, RANGE_SLOTS } from './facet-filter.js';

/** More candidates than this (many findings sharing one `updatedAt` at the page's edge): the store's own plan answers. */
export const MAX_PAGE_CANDIDATES = 4_096;

export interface FacetPageRequest {
  readonly from?: number;
  readonly to?: number;
  readonly order: 'asc' | 'desc';
  /** The cursor's `updatedAt`: only slots at it (the store orders those by key) or beyond it are candidates. */
  readonly after?: number;
  /** Rows the page needs (its size plus one, to know whether more follow). */
  readonly wanted: number;
  /** MAX_PAGE_CANDIDATES but for tests. */
  readonly maxCandidates?: number;
}

/** The candidates of a page: rows at the cursor's `updatedAt` (to be ordered by key) and the best rows after it. */
export interface FacetPageCandidates {
  /** Every matching row whose `updatedAt` equals the cursor's: the store keeps those after the cursor's key. */
  readonly atCursor: readonly number[];
  /** The matching rows strictly beyond the cursor whose `updatedAt` is among the `wanted` first, ties included. */
  readonly beyond: readonly number[];
}

/**
 * Row ids of the slots that can be on the page, so that ordering these rows by (updatedAt, account, region, id)
 * after the cursor gives exactly the page a full sort would. Undefined when a condition needs SQL or when ties
 * make the candidates exceed MAX_PAGE_CANDIDATES.
 */
export function facetPageCandidates(c: FacetColumns, query: BoundQuery, request: FacetPageRequest): FacetPageCandidates | undefined {
  const matches = facetPlan(c, query);
  if (matches === undefined) return undefined;
  const { limit, present, updatedAt } = c;
  const desc = request.order === 'desc';
  const lo = request.from ?? -Infinity;
  const hi = request.to ?? Infinity;
  // Sort keys as numbers that grow toward the front of the page: a descending page takes the largest first.
  const edge = request.after === undefined ? Infinity : desc ? request.after : -request.after;
  const wanted = request.wanted;
  const max = request.maxCandidates ?? MAX_PAGE_CANDIDATES;
  const atCursor: number[] = [];
  let slots: number[] = [];
  let keys: number[] = [];
  // Every slot whose key is at least `threshold` is kept; the threshold rises to the wanted-th best key each time
  // the kept slots pass four pages and the candidates' bound, so the work stays linear in the store and the memory
  // in the page.
  let threshold = -Infinity;
  const compact = (): void => {
    const sorted = Float64Array.from(keys).sort();
    threshold = sorted[sorted.length - wanted]!;
    const keptSlots: number[] = [];
    const keptKeys: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      if (keys[i]! >= threshold) {
        keptSlots.push(slots[i]!);
        keptKeys.push(keys[i]!);
      }
    }
    slots = keptSlots;
    keys = keptKeys;
  };
  for (let first = 0; first < limit; first += RANGE_SLOTS) {
    const last = Math.min(limit, first + RANGE_SLOTS);
    const m = matches(first, last);
    for (let s = first; s < last; s++) {
      if (m[s - first] !== 1 || present[s] !== 1) continue;
      const t = updatedAt[s]!;
      if (t < lo || t >= hi) continue;
      const k = desc ? t : -t;
      if (k < threshold || k > edge) continue;
      if (k === edge) {
        if (atCursor.push(s) > max) return undefined;
        continue;
      }
      slots.push(s);
      keys.push(k);
      if (slots.length >= 4 * wanted + max) {
        compact();
        if (slots.length > max) return undefined;
      }
    }
  }
  if (slots.length > wanted) compact();
  return slots.length + atCursor.length > max ? undefined : { atCursor, beyond: slots };
}
