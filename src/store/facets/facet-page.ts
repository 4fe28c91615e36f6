// The candidates for one page of a search sorted by `updatedAt`, chosen in memory: the store then reads and orders
// only those rows. A query the facets can evaluate (a caller's account scope included) needs no walk of an index
// that meets the caller's findings one in ten or one in a hundred.
import type { BoundQuery } from '../../query/bound.js';
import type { FacetColumns } from './facet-columns.js';
import { facetPlan, RANGE_SLOTS, type Plan } from './facet-filter.js';
import type { FacetSemantics } from './facet-semantics.js';

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

/** What the facets answered of a search before the store reads: its total, and the rows its page can hold. */
export interface SearchHints {
  /** The total, up to `trackTotalUpTo` + 1. */
  readonly counted?: number;
  /** The rows a page sorted by `updatedAt` can hold. */
  readonly candidates?: FacetPageCandidates;
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
 * What a newest-first walk of the store's `updated_at` index costs per row it examines, and a pass here per slot,
 * in the same unit (measured on a 200k store: about 3 µs a row, fetching each from the table, against 15 ns a
 * slot). The page is chosen here when the walk is expected to cost more than what choosing it here still costs.
 */
const WALK_ROW_COST = 200;
const SLOT_COST = 1;
/** What reading a page from its candidates costs beyond the walk's own page, in the same unit (about 0.3 ms). */
const CANDIDATE_PAGE_COST = 20_000;
/** Window rows after which a pass stops collecting candidates for a query dense enough for a walk. */
const DENSITY_CHECK_ROWS = 4_096;

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

function pass(c: FacetColumns, matches: Plan, request: FacetPageRequest, stopAbove: number, keepCollecting: boolean): Pass {
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
  // Whether the page may come from here: a query whose matches a walk meets at once stops collecting early.
  let collecting = true;
  for (let first = 0; first < limit && counted <= stopAbove; first += RANGE_SLOTS) {
    const last = Math.min(limit, first + RANGE_SLOTS);
    const m = matches(first, last);
    for (let s = first; s < last && counted <= stopAbove; s++) {
      if (present[s] !== 1) continue;
      const t = updatedAt[s]!;
      if (t < lo || t >= hi) continue;
      if (++windowRows % DENSITY_CHECK_ROWS === 0 && collecting && !keepCollecting && walkCost(wanted, windowRows, counted) < CANDIDATE_PAGE_COST) {
        collecting = false;
        atCursor = undefined;
      }
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

/** The expected cost of a walk that meets `counted` matches among `windowRows` rows, to find `wanted` of them. */
function walkCost(wanted: number, windowRows: number, counted: number): number {
  return counted === 0 ? (windowRows === 0 ? 0 : Infinity) : ((wanted * windowRows) / counted) * WALK_ROW_COST;
}

/**
 * A search on facet fields answered as far as the facets can: its total, and the rows a page sorted by `updatedAt`
 * can hold when a walk of the store's index is expected to cost more (few matches among many findings: a caller
 * allowed a tenth of the accounts meets its findings one in ten). Undefined when a condition needs SQL. One pass
 * counts and collects; a second is made only when the count stopped at its cap early and the walk would still cost
 * more than a whole pass. `costs` is for tests: `'facets'` has the facets choose every page they can.
 */
export function facetSearch(
  c: FacetColumns,
  semantics: FacetSemantics,
  query: BoundQuery,
  request: FacetSearchRequest,
  costs: 'measured' | 'facets' = 'measured',
): FacetSearchAnswer | undefined {
  const matches = facetPlan(c, semantics, query);
  if (matches === undefined) return undefined;
  const always = costs === 'facets';
  const first = pass(c, matches, request, request.cap, always);
  const counted = first.counted;
  if (counted === 0) return { counted };
  const walk = walkCost(request.wanted, first.windowRows, counted);
  let candidates: FacetPageCandidates | undefined;
  if (first.complete) {
    if (always || walk > CANDIDATE_PAGE_COST) candidates = first.candidates;
  } else if (always || walk > c.limit * SLOT_COST + CANDIDATE_PAGE_COST) {
    candidates = pass(c, matches, request, Infinity, true).candidates;
  }
  return candidates === undefined ? { counted } : { counted, candidates };
}

/**
 * Row ids of the slots that can be on the page, so that ordering these rows by (updatedAt, account, region, id)
 * after the cursor gives exactly the page a full sort would. Undefined when a condition needs SQL or when ties
 * make the candidates exceed their bound.
 */
export function facetPageCandidates(c: FacetColumns, semantics: FacetSemantics, query: BoundQuery, request: FacetPageRequest): FacetPageCandidates | undefined {
  const matches = facetPlan(c, semantics, query);
  return matches === undefined ? undefined : pass(c, matches, request, Infinity, true).candidates;
}
