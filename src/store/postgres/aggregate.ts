// Elasticsearch-shaped aggregations (terms, date_histogram, stats, range; nested one level) in PostgreSQL, with
// the embedded store's answers to the digit: buckets by count then key (text by code point, bands by rank), and
// sums rounded once from the exact sum (numeric; severities are kept as exact decimals beside their doubles).
import {
  AGGREGATION_LIMITS,
  AggregationError,
  intervalMs,
  type Aggregation,
  type AggregationRequest,
  type AggregationResult,
  type Bucket,
  type BucketResult,
  type StatsResult,
} from '../aggregation.js';
import { SEVERITY_BANDS } from '../../findings/severity.js';
import { CATALOG_FIELDS, resolveField, type FieldType } from '../../query/fields.js';
import { COLUMN, Params, REMOTE } from './compile-query.js';
import type { Reader } from './read.js';

interface Field {
  readonly sql: string;
  readonly type: FieldType;
  /** Remote-party fields live in their own table, one row per finding and IP. */
  readonly remote?: true;
  /** What stats sums: the exact column where one is kept. */
  readonly exact?: string;
}

/** Identity columns make no useful buckets and would only cost memory. */
const NOT_AGGREGATABLE = new Set(['id', 'arn']);
const FIELD_NAMES = CATALOG_FIELDS.filter((n) => !NOT_AGGREGATABLE.has(n));

function fieldOf(name: string): Field {
  const field = NOT_AGGREGATABLE.has(name) ? undefined : resolveField(name);
  if (field?.kind === 'column') {
    return { sql: `f.${COLUMN[field.column]}`, type: field.type, ...(field.column === 'severity' && { exact: 'f.severity_exact' }) };
  }
  if (field?.kind === 'remote') return { sql: `r.${REMOTE[field.column]}`, type: 'text', remote: true };
  throw new AggregationError(`"${name.slice(0, 100)}" cannot be aggregated; use one of ${FIELD_NAMES.join(', ')}`);
}

/** A bucket key as the API shows it: band names instead of ranks, booleans as true/false. */
function presentKey(field: Field, raw: unknown): string | number {
  if (field.type === 'band') return SEVERITY_BANDS[Number(raw) - 1] ?? String(raw);
  if (field.type === 'boolean') return raw === true ? 'true' : 'false';
  return typeof raw === 'number' ? raw : String(raw);
}

/** Which findings an aggregation counts: a WHERE fragment over `findings f` with its parameters. */
interface Scope {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Placeholders continue after the scope's own. */
function withScope(scope: Scope, build: (p: Params) => string): { text: string; values: unknown[] } {
  const p = new Params();
  for (const v of scope.params) p.values.push(v);
  const text = build(p);
  return { text, values: p.values };
}

function restrict(scope: Scope, build: (p: Params) => string): Scope {
  const { text, values } = withScope(scope, build);
  return { sql: `${scope.sql} AND ${text}`, params: values };
}

function from(field: Field | undefined): string {
  return field?.remote ? 'findings f JOIN finding_remote_ips r ON r.finding = f.rid' : 'findings f';
}

/** Findings counted once per bucket, even when the remote-party join yields several rows per finding. */
function countOf(field: Field | undefined): string {
  return field?.remote ? 'count(DISTINCT f.rid)' : 'count(*)';
}

interface Budget {
  statements: number;
  buckets: number;
}

function spend(budget: Budget, statements: number, buckets: number): void {
  budget.statements += statements;
  budget.buckets += buckets;
  if (budget.statements > AGGREGATION_LIMITS.statements || budget.buckets > AGGREGATION_LIMITS.buckets) {
    throw new AggregationError(`the aggregation would need more than ${AGGREGATION_LIMITS.statements} queries or ${AGGREGATION_LIMITS.buckets} buckets; ask for fewer buckets or sub-aggregations`);
  }
}

type Bounds = { from?: number; to?: number };

class Aggregator {
  private readonly budget: Budget = { statements: 0, buckets: 0 };

  constructor(
    private readonly reader: Reader,
    private readonly bounds: Bounds,
  ) {}

  async terms(scope: Scope, agg: { field: string; size?: number }): Promise<{ field: Field; result: BucketResult; keys: unknown[] }> {
    const field = fieldOf(agg.field);
    if (field.type === 'time') throw new AggregationError(`"${agg.field}" is a date; use date_histogram for it`);
    const size = agg.size ?? 10;
    if (!Number.isInteger(size) || size < 1 || size > AGGREGATION_LIMITS.terms) throw new AggregationError(`terms size must be from 1 to ${AGGREGATION_LIMITS.terms}`);
    const q = withScope(scope, (p) => `
      SELECT k, n, (sum(n) OVER ())::bigint AS total FROM (
        SELECT ${field.sql} AS k, ${countOf(field)} AS n FROM ${from(field)} WHERE ${scope.sql} AND ${field.sql} IS NOT NULL GROUP BY 1) AS t
      ORDER BY n DESC, k ASC LIMIT ${p.add(size)}`);
    const rows = await this.reader.rows<{ k: unknown; n: number; total: number }>(q.text, q.values);
    const inTop = rows.reduce((s, r) => s + r.n, 0);
    return {
      field,
      keys: rows.map((r) => r.k),
      result: { buckets: rows.map((r) => ({ key: presentKey(field, r.k), doc_count: r.n })), sum_other_doc_count: (rows[0]?.total ?? 0) - inTop },
    };
  }

  async histogram(scope: Scope, agg: { field: string; interval: string }): Promise<{ field: Field; result: BucketResult; keys: number[]; width: number }> {
    const field = fieldOf(agg.field);
    if (field.type !== 'time') throw new AggregationError(`"${agg.field}" is not a date; date_histogram needs one`);
    const width = intervalMs(agg.interval);
    const q = withScope(scope, (p) => {
      const w = p.add(width);
      return `SELECT (${field.sql} / ${w}::bigint) * ${w}::bigint AS k, count(*) AS n FROM findings f
              WHERE ${scope.sql} AND ${field.sql} IS NOT NULL GROUP BY 1 ORDER BY 1`;
    });
    const rows = await this.reader.rows<{ k: number; n: number }>(q.text, q.values);
    const counts = new Map(rows.map((r) => [r.k, r.n]));
    const first = this.bounds.from !== undefined ? Math.floor(this.bounds.from / width) * width : rows[0]?.k;
    const last = this.bounds.to !== undefined ? Math.floor((this.bounds.to - 1) / width) * width : rows[rows.length - 1]?.k;
    const buckets: Bucket[] = [];
    if (first !== undefined && last !== undefined) {
      if ((last - first) / width + 1 > AGGREGATION_LIMITS.histogramBuckets) {
        throw new AggregationError(`the interval ${agg.interval} makes more than ${AGGREGATION_LIMITS.histogramBuckets} buckets; choose a wider one`);
      }
      for (let k = first; k <= last; k += width) buckets.push({ key: k, key_as_string: new Date(k).toISOString(), doc_count: counts.get(k) ?? 0 });
    }
    return { field, result: { buckets }, keys: buckets.map((b) => b.key as number), width };
  }

  async stats(scope: Scope, agg: { field: string }): Promise<StatsResult> {
    const field = fieldOf(agg.field);
    if (field.type === 'text' || field.type === 'boolean') throw new AggregationError(`"${agg.field}" is not numeric; stats needs a number or date`);
    const q = withScope(scope, () => `
      SELECT count(${field.sql}) AS count, min(${field.sql}) AS min, max(${field.sql}) AS max, sum(${field.exact ?? field.sql})::text AS sum
      FROM findings f WHERE ${scope.sql}`);
    const [row] = await this.reader.rows<{ count: number; min: number | null; max: number | null; sum: string | null }>(q.text, q.values);
    const count = row?.count ?? 0;
    // The exact sum, rounded once to a double; the mean from it, as the embedded store computes it.
    const sum = row?.sum == null ? 0 : Number(row.sum);
    return { count, min: row?.min ?? null, max: row?.max ?? null, avg: count === 0 ? null : sum / count, sum };
  }

  async range(scope: Scope, agg: Extract<Aggregation, { range: unknown }>['range']): Promise<{ field: Field; result: BucketResult }> {
    const field = fieldOf(agg.field);
    if (field.type === 'text' || field.type === 'boolean') throw new AggregationError(`"${agg.field}" is not numeric; range needs a number or date`);
    if (agg.ranges.length === 0 || agg.ranges.length > AGGREGATION_LIMITS.ranges) throw new AggregationError(`range needs from 1 to ${AGGREGATION_LIMITS.ranges} ranges`);
    const q = withScope(scope, (p) => {
      const counts = agg.ranges.map((r, i) => `count(*) FILTER (WHERE ${rangeCondition(field, r, p)}) AS r${i}`);
      return `SELECT ${counts.join(', ')} FROM findings f WHERE ${scope.sql}`;
    });
    const [row] = await this.reader.rows<Record<string, number>>(q.text, q.values);
    const buckets = agg.ranges.map((r, i): Bucket => ({
      key: r.key ?? `${r.from ?? '*'}-${r.to ?? '*'}`,
      ...(r.from !== undefined && { from: r.from }),
      ...(r.to !== undefined && { to: r.to }),
      doc_count: row?.[`r${i}`] ?? 0,
    }));
    return { field, result: { buckets } };
  }

  /** Runs one aggregation; `depth` 0 may carry sub-aggregations, depth 1 may not. */
  async run(scope: Scope, agg: Aggregation, depth: number): Promise<BucketResult | StatsResult> {
    const subs = 'aggs' in agg && agg.aggs !== undefined ? Object.entries(agg.aggs) : [];
    if (subs.length > 0 && depth > 0) throw new AggregationError('aggregations nest one level deep at most');
    spend(this.budget, 1, 0);
    if ('stats' in agg) return this.stats(scope, agg.stats);
    let result: BucketResult;
    let bucketScopes: Scope[];
    if ('terms' in agg) {
      const t = await this.terms(scope, agg.terms);
      result = t.result;
      bucketScopes = t.keys.map((k) => restrict(scope, (p) => (t.field.remote
        ? `f.rid IN (SELECT r.finding FROM finding_remote_ips r WHERE ${t.field.sql} = ${p.add(k)})`
        : `${t.field.sql} = ${p.add(k)}`)));
    } else if ('date_histogram' in agg) {
      const h = await this.histogram(scope, agg.date_histogram);
      result = h.result;
      bucketScopes = h.keys.map((k) => restrict(scope, (p) => `${h.field.sql} >= ${p.add(k)} AND ${h.field.sql} < ${p.add(k + h.width)}`));
    } else if ('range' in agg) {
      const r = await this.range(scope, agg.range);
      result = r.result;
      bucketScopes = agg.range.ranges.map((range) => restrict(scope, (p) => rangeCondition(r.field, { ...range, bounded: true }, p)));
    } else {
      throw new AggregationError('each aggregation needs one of terms, date_histogram, stats or range');
    }
    spend(this.budget, 0, result.buckets.length);
    if (subs.length === 0) return result;
    const buckets: Bucket[] = [];
    for (const [i, bucket] of result.buckets.entries()) {
      const nested: Record<string, BucketResult | StatsResult> = {};
      for (const [name, sub] of subs) {
        nested[name] = bucket.doc_count === 0
          ? ('stats' in sub ? { count: 0, min: null, max: null, avg: null, sum: 0 } : { buckets: [] })
          : await this.run(bucketScopes[i]!, sub, depth + 1);
      }
      buckets.push({ ...bucket, ...nested });
    }
    return { ...result, buckets };
  }
}

/**
 * Findings in a range: from inclusive, to exclusive, compared as doubles; a range without bounds counts findings
 * with the field set (`bounded` scopes a bucket's sub-aggregations, where an open range is no condition at all).
 */
function rangeCondition(field: Field, r: { from?: number; to?: number; bounded?: boolean }, p: Params): string {
  const conditions = [
    ...(r.from !== undefined ? [`${field.sql} >= ${p.add(r.from)}::float8`] : []),
    ...(r.to !== undefined ? [`${field.sql} < ${p.add(r.to)}::float8`] : []),
  ];
  if (conditions.length > 0) return conditions.join(' AND ');
  return r.bounded === true ? 'true' : `${field.sql} IS NOT NULL`;
}

/** Runs a request's aggregations over the findings `scope` selects (its time window included). */
export async function aggregate(reader: Reader, request: AggregationRequest, scope: Scope): Promise<AggregationResult> {
  const entries = Object.entries(request.aggs);
  if (entries.length === 0 || entries.length > AGGREGATION_LIMITS.aggregations) throw new AggregationError(`ask for 1 to ${AGGREGATION_LIMITS.aggregations} aggregations`);
  const bounds = { ...(request.from !== undefined && { from: request.from }), ...(request.to !== undefined && { to: request.to }) };
  const [counted] = await reader.rows<{ n: number }>(`SELECT count(*) AS n FROM findings f WHERE ${scope.sql}`, scope.params);
  const aggregator = new Aggregator(reader, bounds);
  const aggregations: Record<string, BucketResult | StatsResult> = {};
  for (const [name, agg] of entries) aggregations[name] = await aggregator.run(scope, agg, 0);
  return { total: counted?.n ?? 0, aggregations };
}
