// The candidates for one page of a search sorted by `updatedAt`, chosen in memory: the store then reads and orders
// only those rows. A query the facets can evaluate (a caller's account scope included) needs no walk of an index
// that meets the caller's findings one in ten or one in a hundred.
import type { BoundQuery } from '../../query/bound.js';
import type { FacetColumns } from './facet-columns.js';
import { facetPlan, RANGE_SLOTS, type Plan } from './facet-filter.js';

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

/** A search's total and, when the facets chose them, its page's candidates. */
export interface FacetSearchAnswer {
  /** Matches in the window, up to `cap` + 1 (the cursor does not change a total). */
  readonly counted: number;
  readonly candidates?: FacetPageCandidates;
}

export interface FacetSearchRequest extends FacetPageRequest {
  /** Count exactly up to this many (the search's `trackTotalUpTo`). */
  readonly cap: number;
}

/**
 * Rows a newest-first walk of the store's `updated_at` index may be expected to examine before a page chosen here
 * is the cheaper way: a walk tests a row in about 0.2 µs, a pass here costs about 10 ns a finding (1M: 10 ms), and
 * the store's walk also stops trying at WALK_ROWS (search.ts).
 */
export const CHEAP_WALK_ROWS = 4_000;

/** One pass over the slots: the matches counted (stopping past `stopAbove`) and the page's candidates collected. */
interface Pass {
  /** Matches in the window. */
  counted: number;
  /** Window rows met (matching or not): a walk over the window meets them in time order. */
  windowRows: number;
  /** Whether every slot was seen (the count did not stop at its cap). */
  complete: boolean;
  candidates: FacetPageCandidates | undefined;
}

function pass(c: FacetColumns, matches: Plan, request: FacetPageRequest, stopAbove: number): Pass {
  const { limit, present, updatedAt } = c;
  const desc = request.order === 'desc';
  const lo = request.from ?? -Infinity;
  const hi = request.to ?? Infinity;
  // Sort keys as numbers that grow toward the front of the page: a descending page takes the largest first.
  const edge = request.after === undefined ? Infinity : desc ? request.after : -request.after;
  const wanted = request.wanted;
  const max = request.maxCandidates ?? MAX_PAGE_CANDIDATES;
  let atCursor: number[] | undefined = [];
  let slots: number[] = [];
  let keys: number[] = [];
  // Every slot whose key is at least `threshold` is kept; the threshold rises to the wanted-th best key each time
  // the kept slots pass four pages and the candidates' bound, so the work stays linear in the store and the memory
  // in the page. Too many ties drop the candidates (`atCursor` undefined) but not the count.
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
    if (slots.length > max) atCursor = undefined;
  };
  let counted = 0;
  let windowRows = 0;
  for (let first = 0; first < limit && counted <= stopAbove; first += RANGE_SLOTS) {
    const last = Math.min(limit, first + RANGE_SLOTS);
    const m = matches(first, last);
    for (let s = first; s < last && counted <= stopAbove; s++) {
      if (present[s] !== 1) continue;
      const t = updatedAt[s]!;
      if (t < lo || t >= hi) continue;
      windowRows++;
      if (m[s - first] !== 1) continue;
      counted++;
      if (atCursor === undefined) continue;
      const k = desc ? t : -t;
      if (k < threshold || k > edge) continue;
      if (k === edge) {
        if (atCursor.push(s) > max) atCursor = undefined;
        continue;
      }
      slots.push(s);
      keys.push(k);
      if (slots.length >= 4 * wanted + max) compact();
    }
  }
  if (atCursor !== undefined && slots.length > wanted) compact();
  const candidates = atCursor === undefined || slots.length + atCursor.length > max ? undefined : { atCursor, beyond: slots };
  return { counted, windowRows, complete: counted <= stopAbove, candidates };
}

/**
 * A search on facet fields answered as far as the facets can: its total, and the rows a page sorted by `updatedAt`
 * can hold when a walk of the store's index would examine more than `cheapWalkRows` (few matches among many
 * findings: a caller allowed a tenth of the accounts meets its findings one in ten). Undefined when a condition
 * needs SQL. One pass counts and collects; a second is needed only when the count stopped at its cap early yet the
 * matches are sparse.
 */
export function facetSearch(c: FacetColumns, query: BoundQuery, request: FacetSearchRequest, cheapWalkRows = CHEAP_WALK_ROWS): FacetSearchAnswer | undefined {
  const matches = facetPlan(c, query);
  if (matches === undefined) return undefined;
  const first = pass(c, matches, request, request.cap);
  const counted = first.counted;
  if (counted === 0 || (request.wanted * first.windowRows) / counted <= cheapWalkRows) return { counted };
  const candidates = first.complete ? first.candidates : pass(c, matches, request, Infinity).candidates;
  return candidates === undefined ? { counted } : { counted, candidates };
}

/**
 * Row ids of the slots that can be on the page, so that ordering these rows by (updatedAt, account, region, id)
 * after the cursor gives exactly the page a full sort would. Undefined when a condition needs SQL or when ties
 * make the candidates exceed their bound.
 */
export function facetPageCandidates(c: FacetColumns, query: BoundQuery, request: FacetPageRequest): FacetPageCandidates | undefined {
  const matches = facetPlan(c, query);
  return matches === undefined ? undefined : pass(c, matches, request, Infinity).candidates;
}
