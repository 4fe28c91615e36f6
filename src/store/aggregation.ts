// Aggregation requests and results, shaped like Elasticsearch's because analysts already know them.
import type { QueryNode } from '../query/ast.js';
import type { BoundQuery } from '../query/bound.js';

/**
 * What one aggregation request may ask for, the same for the API's schema, the SQL path and the in-memory facets
 * (which leave a request past them to SQL, to be refused with its message).
 */
export const AGGREGATION_LIMITS = {
  /** Aggregations at the top of a request. */
  aggregations: 20,
  /** Sub-aggregations of one aggregation (they nest one level deep). */
  subAggregations: 10,
  /** A terms aggregation's `size`. */
  terms: 1000,
  /** Ranges of one range aggregation. */
  ranges: 100,
  /** Buckets one date_histogram makes. */
  histogramBuckets: 5000,
  /** Nested buckets multiply: statements (one per aggregation run) and buckets over the whole request. */
  statements: 2_000,
  buckets: 200_000,
} as const;

export interface TermsAggregation {
  readonly terms: { readonly field: string; readonly size?: number };
  readonly aggs?: Readonly<Record<string, Aggregation>>;
}

export interface DateHistogramAggregation {
  /** `interval` is a fixed duration: `30s`, `5m`, `1h`, `1d`, `1w`. */
  readonly date_histogram: { readonly field: string; readonly interval: string };
  readonly aggs?: Readonly<Record<string, Aggregation>>;
}

export interface StatsAggregation {
  readonly stats: { readonly field: string };
}

export interface RangeAggregation {
  readonly range: {
    readonly field: string;
    readonly ranges: readonly { readonly from?: number; readonly to?: number; readonly key?: string }[];
  };
  readonly aggs?: Readonly<Record<string, Aggregation>>;
}

export type Aggregation = TermsAggregation | DateHistogramAggregation | StatsAggregation | RangeAggregation;

export interface AggregationRequest {
  /** A parse tree is bound when the store reads (relative times resolve then); a bound query may carry a scope. */
  readonly query: QueryNode | BoundQuery;
  readonly from?: number;
  readonly to?: number;
  readonly aggs: Readonly<Record<string, Aggregation>>;
}

export interface Bucket {
  readonly key: string | number;
  readonly key_as_string?: string;
  readonly from?: number;
  readonly to?: number;
  readonly doc_count: number;
  readonly [sub: string]: unknown;
}

export interface BucketResult {
  readonly buckets: readonly Bucket[];
  readonly sum_other_doc_count?: number;
}

export interface StatsResult {
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  readonly sum: number;
}

export interface AggregationResult {
  readonly total: number;
  readonly aggregations: Readonly<Record<string, BucketResult | StatsResult>>;
}

/** Raised for an aggregation the store cannot compute: unknown field, bad interval, too deep. */
export class AggregationError extends Error {
  readonly code = 'INVALID_AGGREGATION';
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a fixed interval (`1h`, `30m`, `1d`) into milliseconds. */
export function intervalMs(interval: string): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(interval);
  const unit = m ? UNIT_MS[m[2]!] : undefined;
  if (!m || unit === undefined || Number(m[1]) === 0) {
    throw new AggregationError(`"${interval.slice(0, 40)}" is not an interval; use a number and one of s, m, h, d, w (e.g. 1h)`);
  }
  return Number(m[1]) * unit;
}
