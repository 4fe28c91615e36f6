// Aggregations over the in-memory facet columns: the same answers as the SQL path for the requests it takes
// (findings in a time range that a query on facet fields selects, grouped by catalogue fields); anything else
// is left to the store's SQL.
import { SEVERITY_BANDS } from '../../findings/severity.js';
import { AGGREGATION_LIMITS as LIMITS, intervalMs, type Aggregation, type AggregationRequest, type AggregationResult, type Bucket, type BucketResult, type StatsResult } from '../aggregation.js';
import type { FacetColumns } from './facet-columns.js';
import { SlotLists } from './slot-lists.js';
import { bindOrUndefined, facetPlan, RANGE_SLOTS, type Plan } from './facet-filter.js';
import { facetField, facetsCanAnswer, type FacetField as Field } from './facet-request.js';
import type { FacetSemantics } from './facet-semantics.js';

/** Thrown while answering when the request turns out to need the SQL path (which also words any error). */
class NotHere extends Error {}

/** Requests are answered synchronously, one at a time: they share one set of buffers. */
const slotLists = new SlotLists();

interface Context {
  readonly c: FacetColumns;
  readonly semantics: FacetSemantics;
  readonly lists: SlotLists;
  readonly from: number | undefined;
  readonly to: number | undefined;
  /** The SQL path's work budget, counted the same way: past it, SQL answers (with its error). */
  buckets: number;
  statements: number;
}

/** A numeric column's value for slot s. */
function numberAt(c: FacetColumns, field: Field, s: number): number {
  if (field.kind === 'band') return c.band[s]!;
  if (field.kind === 'number') return field.name === 'severity' ? c.severity[s]! : c.updatedAt[s]!;
  throw new NotHere();
}

/** Answers `request` from the columns, or returns undefined when the SQL path must (errors included). */
export function facetAggregate(c: FacetColumns, semantics: FacetSemantics, request: AggregationRequest): AggregationResult | undefined {
  if (!facetsCanAnswer(request)) return undefined;
  const query = bindOrUndefined(request.query);
  const matches = query === undefined ? undefined : facetPlan(c, semantics, query);
  if (matches === undefined) return undefined;
  slotLists.reset();
  const ctx: Context = { c, semantics, lists: slotLists, from: request.from, to: request.to, buckets: 0, statements: 0 };
  const slots = matching(ctx, query!.root.kind === 'all' ? undefined : matches);
  try {
    const aggregations = Object.fromEntries(Object.entries(request.aggs).map(([name, agg]) => [name, run(ctx, slots, agg)]));
    return { total: slots.length, aggregations };
  } catch (error) {
    if (error instanceof NotHere) return undefined;
    throw error;
  }
}

/** The slots in the time range whose finding `matches` selects (every one without). */
function matching(ctx: Context, matches: Plan | undefined): Int32Array {
  const { c } = ctx;
  const from = ctx.from ?? -Infinity;
  const to = ctx.to ?? Infinity;
  const out = ctx.lists.take(c.limit);
  let n = 0;
  const present = c.present;
  const updated = c.updatedAt;
  for (let first = 0; first < c.limit; first += RANGE_SLOTS) {
    const last = Math.min(c.limit, first + RANGE_SLOTS);
    const m = matches?.(first, last);
    for (let s = first; s < last; s++) {
      if (present[s] === 1 && (m === undefined || m[s - first] === 1)) {
        const t = updated[s]!;
        if (t >= from && t < to) out[n++] = s;
      }
    }
  }
  return ctx.lists.shorten(out, n);
}

/** Splits `slots` into `count` lists by `bucketOf` (-1: in none), in two passes and without a list per bucket. */
function partition(ctx: Context, slots: Int32Array, count: number, bucketOf: (s: number) => number): Int32Array[] {
  const sizes = new Int32Array(count);
  for (let i = 0; i < slots.length; i++) {
    const b = bucketOf(slots[i]!);
    if (b >= 0) sizes[b]!++;
  }
  const lists = Array.from(sizes, (n) => ctx.lists.take(n));
  const filled = new Int32Array(count);
  for (let i = 0; i < slots.length; i++) {
    const b = bucketOf(slots[i]!);
    if (b >= 0) lists[b]![filled[b]!++] = slots[i]!;
  }
  return lists;
}

/** The slots for which `keep` holds, as a list of the request's. */
function select(ctx: Context, slots: Int32Array, keep: (s: number) => boolean): Int32Array {
  const list = ctx.lists.take(slots.length);
  let n = 0;
  for (let i = 0; i < slots.length; i++) if (keep(slots[i]!)) list[n++] = slots[i]!;
  return ctx.lists.shorten(list, n);
}

function run(ctx: Context, slots: Int32Array, agg: Aggregation): BucketResult | StatsResult {
  if (++ctx.statements > LIMITS.statements) throw new NotHere();
  if ('stats' in agg) return stats(ctx, slots, facetField(agg.stats.field)!);
  let result: BucketResult;
  let subsets: () => Int32Array[];
  if ('terms' in agg) {
    const t = terms(ctx, slots, facetField(agg.terms.field)!, agg.terms.size ?? 10);
    result = t.result;
    subsets = t.subsets;
  } else if ('date_histogram' in agg) {
    const h = histogram(ctx, slots, intervalMs(agg.date_histogram.interval));
    result = h.result;
    subsets = h.subsets;
  } else if ('range' in agg) {
    const r = ranges(ctx, slots, facetField(agg.range.field)!, agg.range.ranges);
    result = r.result;
    subsets = r.subsets;
  } else {
    throw new NotHere();
  }
  ctx.buckets += result.buckets.length;
  if (ctx.buckets > LIMITS.buckets) throw new NotHere();
  const subs = 'aggs' in agg && agg.aggs !== undefined ? Object.entries(agg.aggs) : [];
  if (subs.length === 0) return result;
  const parts = subsets();
  return {
    ...result,
    buckets: result.buckets.map((bucket, i) => {
      if (bucket.doc_count === 0) {
        return { ...bucket, ...Object.fromEntries(subs.map(([name, sub]) => [name, 'stats' in sub ? { count: 0, min: null, max: null, avg: null, sum: 0 } : { buckets: [] }])) };
      }
      return { ...bucket, ...Object.fromEntries(subs.map(([name, sub]) => [name, run(ctx, parts[i]!, sub)])) };
    }),
  };
}

/** Counts per code of a grouping field over `slots`; each finding counts once per distinct value. */
function countCodes(c: FacetColumns, field: Field, slots: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  const tally = (size: number, codeAt: (s: number) => number): void => {
    const n = new Int32Array(size + 1);
    for (let i = 0; i < slots.length; i++) n[codeAt(slots[i]!) + 1]!++;
    // Index 0 holds the NULLs (code -1), which make no bucket.
    for (let code = 0; code < size; code++) if (n[code + 1]! > 0) counts.set(code, n[code + 1]!);
  };
  switch (field.kind) {
    case 'text': {
      const codes = c.textCodes[field.name];
      tally(c.dictionaries[field.name].values.length, (s) => codes[s]! - 1);
      break;
    }
    case 'band':
      tally(256, (s) => c.band[s]!);
      break;
    case 'flag': {
      const flags = field.name === 'archived' ? c.archived : c.sample;
      tally(2, (s) => flags[s]!);
      break;
    }
    case 'number':
      for (let i = 0; i < slots.length; i++) {
        const v = c.severity[slots[i]!]!;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      break;
    case 'remote': {
      const size = c.dictionaries[field.name].values.length;
      const n = new Int32Array(size);
      // The last slot that counted each code: a finding with two parties in one country counts once.
      const last = new Int32Array(size).fill(-1);
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        const start = c.partyStart[s]!;
        const end = start + c.partyCount[s]! * 3;
        for (let at = start + field.offset; at < end; at += 3) {
          const code = c.parties[at]!;
          if (code >= 0 && last[code] !== s) {
            last[code] = s;
            n[code]!++;
          }
        }
      }
      for (let code = 0; code < size; code++) if (n[code]! > 0) counts.set(code, n[code]!);
    }
  }
  return counts;
}

/** The code of a single-valued field (a column, not the remote parties) at slot s. */
function singleCode(c: FacetColumns, field: Exclude<Field, { kind: 'remote' }>): (s: number) => number {
  switch (field.kind) {
    case 'text': {
      const codes = c.textCodes[field.name];
      return (s) => codes[s]! - 1;
    }
    case 'band':
      return (s) => c.band[s]!;
    case 'flag': {
      const flags = field.name === 'archived' ? c.archived : c.sample;
      return (s) => flags[s]!;
    }
    case 'number':
      return (s) => c.severity[s]!;
  }
}

/** True when one of slot s's remote parties has value `code` (columns put each slot in its bucket in one pass). */
function hasParty(c: FacetColumns, field: Extract<Field, { kind: 'remote' }>, s: number, code: number): boolean {
  const start = c.partyStart[s]!;
  const end = start + c.partyCount[s]! * 3;
  for (let at = start + field.offset; at < end; at += 3) if (c.parties[at] === code) return true;
  return false;
}

function keyOf(c: FacetColumns, field: Field, code: number): string | number {
  switch (field.kind) {
    case 'text':
      return c.dictionaries[field.name].values[code]!;
    case 'remote':
      return c.dictionaries[field.name].values[code]!;
    case 'band':
      return SEVERITY_BANDS[code - 1] ?? String(code);
    case 'flag':
      return code === 1 ? 'true' : 'false';
    case 'number':
      return code;
  }
}

/**
 * The `size` entries with the highest counts, ties by key: the counts decide first, so only the entries at or
 * above the size-th count are ordered by key (a field with 300,000 distinct values is not sorted whole).
 */
function topEntries(counts: Map<number, number>, size: number, before: (a: number, b: number) => number): Array<[number, number]> {
  if (counts.size <= size) return [...counts].sort((a, b) => b[1] - a[1] || before(a[0], b[0]));
  const values = Float64Array.from(counts.values()).sort();
  const threshold = values[values.length - size]!;
  const above: Array<[number, number]> = [];
  const tied: number[] = [];
  for (const [code, n] of counts) {
    if (n > threshold) above.push([code, n]);
    else if (n === threshold) tied.push(code);
  }
  above.sort((a, b) => b[1] - a[1] || before(a[0], b[0]));
  // Of the values tied at the threshold, the first ones by key fill the remaining places.
  const wanted = size - above.length;
  const chosen: number[] = [];
  for (const code of tied) {
    if (chosen.length === wanted && before(code, chosen[wanted - 1]!) >= 0) continue;
    let at = chosen.length === wanted ? wanted - 1 : chosen.length;
    while (at > 0 && before(code, chosen[at - 1]!) < 0) {
      chosen[at] = chosen[at - 1]!;
      at--;
    }
    chosen[at] = code;
    chosen.length = Math.min(chosen.length, wanted);
  }
  return [...above, ...chosen.map((code): [number, number] => [code, threshold])];
}

function terms(ctx: Context, slots: Int32Array, field: Field, size: number): { result: BucketResult; subsets: () => Int32Array[] } {
  const { c } = ctx;
  const counts = countCodes(c, field, slots);
  let total = 0;
  for (const n of counts.values()) total += n;
  const textual = field.kind === 'text' || field.kind === 'remote';
  // SQL orders by count, then by the stored value: text in the backend's order, bands and flags by their number.
  const compareText = ctx.semantics.compareText;
  const before = textual ? (a: number, b: number): number => compareText(keyOf(c, field, a) as string, keyOf(c, field, b) as string) : (a: number, b: number): number => a - b;
  const top = topEntries(counts, size, before);
  const inTop = top.reduce((n, [, count]) => n + count, 0);
  return {
    result: {
      buckets: top.map(([code, count]) => ({ key: keyOf(c, field, code), doc_count: count })),
      sum_other_doc_count: total - inTop,
    },
    subsets: () => {
      if (field.kind === 'remote') return top.map(([code]) => select(ctx, slots, (s) => hasParty(c, field, s, code)));
      // One value per finding: each finding goes to one bucket at most.
      const codeAt = singleCode(c, field);
      const index = new Map(top.map(([code], i) => [code, i]));
      return partition(ctx, slots, top.length, (s) => index.get(codeAt(s)) ?? -1);
    },
  };
}

function histogram(ctx: Context, slots: Int32Array, width: number): { result: BucketResult; subsets: () => Int32Array[] } {
  const { c } = ctx;
  const keyAt = (s: number): number => Math.trunc(c.updatedAt[s]! / width) * width;
  let first = ctx.from !== undefined ? Math.floor(ctx.from / width) * width : undefined;
  let last = ctx.to !== undefined ? Math.floor((ctx.to - 1) / width) * width : undefined;
  if (slots.length > 0 && (first === undefined || last === undefined)) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < slots.length; i++) {
      const k = keyAt(slots[i]!);
      if (k < min) min = k;
      if (k > max) max = k;
    }
    first ??= min;
    last ??= max;
  }
  const buckets: Bucket[] = [];
  if (first === undefined || last === undefined) return { result: { buckets }, subsets: () => [] };
  const count = (last - first) / width + 1;
  if (count > LIMITS.histogramBuckets) throw new NotHere();
  const start = first;
  const n = new Int32Array(Math.max(0, count));
  for (let i = 0; i < slots.length; i++) {
    const b = (keyAt(slots[i]!) - start) / width;
    if (b >= 0 && b < count) n[b]!++;
  }
  for (let b = 0; b < count; b++) {
    const k = start + b * width;
    buckets.push({ key: k, key_as_string: new Date(k).toISOString(), doc_count: n[b]! });
  }
  return {
    result: { buckets },
    subsets: () => partition(ctx, slots, count, (s) => {
      const b = (keyAt(s) - start) / width;
      return b >= 0 && b < count ? b : -1;
    }),
  };
}

function stats(ctx: Context, slots: Int32Array, field: Field): StatsResult {
  let min = Infinity;
  let max = -Infinity;
  const sum = ctx.semantics.sum(field.kind !== 'number' || field.name !== 'severity');
  for (let i = 0; i < slots.length; i++) {
    const v = numberAt(ctx.c, field, slots[i]!);
    sum.add(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const count = slots.length;
  if (count === 0) return { count: 0, min: null, max: null, avg: null, sum: 0 };
  const total = sum.value;
  return { count, min, max, avg: total / count, sum: total };
}

function ranges(
  ctx: Context,
  slots: Int32Array,
  field: Field,
  list: ReadonlyArray<{ from?: number; to?: number; key?: string }>,
): { result: BucketResult; subsets: () => Int32Array[] } {
  const inRange = (r: { from?: number; to?: number }, v: number): boolean => (r.from === undefined || v >= r.from) && (r.to === undefined || v < r.to);
  const members = (r: { from?: number; to?: number }): Int32Array => select(ctx, slots, (s) => inRange(r, numberAt(ctx.c, field, s)));
  const counts = list.map((r) => {
    let n = 0;
    for (const s of slots) if (inRange(r, numberAt(ctx.c, field, s))) n++;
    return n;
  });
  const buckets = list.map((r, i): Bucket => ({
    key: r.key ?? `${r.from ?? '*'}-${r.to ?? '*'}`,
    ...(r.from !== undefined && { from: r.from }),
    ...(r.to !== undefined && { to: r.to }),
    doc_count: counts[i]!,
  }));
  return { result: { buckets }, subsets: () => list.map(members) };
}
