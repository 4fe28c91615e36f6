// Elasticsearch-shaped aggregations (terms, date_histogram, stats, range; nested one level) in SQL.
import type Database from 'better-sqlite3';
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
import { bindQuery } from '../../query/bind.js';
import { aggregationField, presentKey, type AggregationField } from './aggregation-fields.js';
import { whereClause } from './search.js';

const MAX_TERMS = AGGREGATION_LIMITS.terms;
const MAX_HISTOGRAM_BUCKETS = AGGREGATION_LIMITS.histogramBuckets;
const MAX_AGGREGATIONS = AGGREGATION_LIMITS.aggregations;
const MAX_RANGES = AGGREGATION_LIMITS.ranges;
const MAX_STATEMENTS = AGGREGATION_LIMITS.statements;
const MAX_BUCKETS = AGGREGATION_LIMITS.buckets;

interface Budget {
  statements: number;
  buckets: number;
}

function spend(budget: Budget, statements: number, buckets: number): void {
  budget.statements += statements;
  budget.buckets += buckets;
  if (budget.statements > MAX_STATEMENTS || budget.buckets > MAX_BUCKETS) {
    throw new AggregationError(`the aggregation would need more than ${MAX_STATEMENTS} queries or ${MAX_BUCKETS} buckets; ask for fewer buckets or sub-aggregations`);
  }
}

interface Scope {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The query selects everything (only the time range restricts): remote parties need no findings lookup. */
  readonly matchAll?: true;
}

/**
 * Terms on a remote party's country or organisation over a time range alone read the parties' time index
 * without a findings lookup (measured at 550k findings, 7 days: 0.39 s → 0.13 s). Terms on the IP itself are
 * faster through the join, whose plan walks the IP index in order (0.33 s against 0.6 s without the join).
 */
function remoteOnly(field: AggregationField | undefined, scope: Scope | undefined): boolean {
  return field?.joinsRemoteIps === true && scope?.matchAll === true && field.sql !== 'r.ip';
}

function from(field: AggregationField | undefined, scope?: Scope): string {
  if (remoteOnly(field, scope)) return 'finding_remote_ips r';
  return field?.joinsRemoteIps ? 'findings f JOIN finding_remote_ips r ON r.finding = f.rowid' : 'findings f';
}

/** Findings counted once per bucket even when the remote-party join yields several rows per finding. */
function countOf(field: AggregationField | undefined, scope?: Scope): string {
  if (remoteOnly(field, scope)) return 'count(DISTINCT r.finding)';
  return field?.joinsRemoteIps ? 'count(DISTINCT f.rowid)' : 'count(*)';
}

function restrict(scope: Scope, sql: string, params: readonly unknown[]): Scope {
  return { sql: `${scope.sql} AND ${sql}`, params: [...scope.params, ...params] };
}

type Bounds = { from?: number; to?: number };

/**
 * Remote parties carry their finding's updatedAt: repeating the time range on them lets SQLite read a slice
 * of their time index and look up only the findings in range, instead of every finding with a party.
 */
function scopeFor(field: AggregationField, scope: Scope, bounds: Bounds): Scope {
  if (!field.joinsRemoteIps) return scope;
  const alone = remoteOnly(field, scope);
  let s: Scope = alone ? { sql: '1', params: [] } : scope;
  if (bounds.from !== undefined) s = restrict(s, 'r.updated_at >= ?', [bounds.from]);
  if (bounds.to !== undefined) s = restrict(s, 'r.updated_at < ?', [bounds.to]);
  return alone ? { ...s, matchAll: true } : s;
}

function runTerms(db: Database.Database, whole: Scope, agg: { field: string; size?: number }, bounds: Bounds): { field: AggregationField; result: BucketResult; keys: unknown[] } {
  const field = aggregationField(agg.field);
  const scope = scopeFor(field, whole, bounds);
  if (field.type === 'time') throw new AggregationError(`"${agg.field}" is a date; use date_histogram for it`);
  const size = agg.size ?? 10;
  if (!Number.isInteger(size) || size < 1 || size > MAX_TERMS) throw new AggregationError(`terms size must be from 1 to ${MAX_TERMS}`);
  const rows = db
    .prepare(
      `SELECT k, n, sum(n) OVER () AS total FROM (
         SELECT ${field.sql} AS k, ${countOf(field, scope)} AS n FROM ${from(field, scope)}
         WHERE ${scope.sql} AND ${field.sql} IS NOT NULL GROUP BY k)
       ORDER BY n DESC, k ASC LIMIT ?`,
    )
    .all(...scope.params, size) as Array<{ k: unknown; n: number; total: number }>;
  const inTop = rows.reduce((s, r) => s + r.n, 0);
  return {
    field,
    keys: rows.map((r) => r.k),
    result: {
      buckets: rows.map((r) => ({ key: presentKey(field, r.k), doc_count: r.n })),
      sum_other_doc_count: (rows[0]?.total ?? 0) - inTop,
    },
  };
}

function runHistogram(
  db: Database.Database,
  whole: Scope,
  agg: { field: string; interval: string },
  bounds: Bounds,
): { field: AggregationField; result: BucketResult; keys: unknown[]; width: number } {
  const field = aggregationField(agg.field);
  const scope = scopeFor(field, whole, bounds);
  if (field.type !== 'time') throw new AggregationError(`"${agg.field}" is not a date; date_histogram needs one`);
  const width = intervalMs(agg.interval);
  const rows = db
    .prepare(
      `SELECT CAST(${field.sql} / ? AS INTEGER) * ? AS k, ${countOf(field)} AS n FROM ${from(field)}
       WHERE ${scope.sql} AND ${field.sql} IS NOT NULL GROUP BY k ORDER BY k`,
    )
    .all(width, width, ...scope.params) as Array<{ k: number; n: number }>;
  const counts = new Map(rows.map((r) => [r.k, r.n]));
  const first = bounds.from !== undefined ? Math.floor(bounds.from / width) * width : rows[0]?.k;
  const last = bounds.to !== undefined ? Math.floor((bounds.to - 1) / width) * width : rows[rows.length - 1]?.k;
  const buckets: Bucket[] = [];
  if (first !== undefined && last !== undefined) {
    if ((last - first) / width + 1 > MAX_HISTOGRAM_BUCKETS) {
      throw new AggregationError(`the interval ${agg.interval} makes more than ${MAX_HISTOGRAM_BUCKETS} buckets; choose a wider one`);
    }
    for (let k = first; k <= last; k += width) {
      buckets.push({ key: k, key_as_string: new Date(k).toISOString(), doc_count: counts.get(k) ?? 0 });
    }
  }
  return { field, result: { buckets }, keys: buckets.map((b) => b.key), width };
}

function runStats(db: Database.Database, whole: Scope, agg: { field: string }, bounds: Bounds): StatsResult {
  const field = aggregationField(agg.field);
  const scope = scopeFor(field, whole, bounds);
  if (field.type === 'text' || field.type === 'boolean') throw new AggregationError(`"${agg.field}" is not numeric; stats needs a number or date`);
  const row = db
    .prepare(
      `SELECT count(${field.sql}) AS count, min(${field.sql}) AS min, max(${field.sql}) AS max, avg(${field.sql}) AS avg,
              total(${field.sql}) AS sum FROM ${from(field)} WHERE ${scope.sql}`,
    )
    .get(...scope.params) as StatsResult;
  return row;
}

function runRange(db: Database.Database, whole: Scope, agg: Extract<Aggregation, { range: unknown }>['range'], bounds: Bounds): { field: AggregationField; result: BucketResult } {
  const field = aggregationField(agg.field);
  const scope = scopeFor(field, whole, bounds);
  if (field.type === 'text' || field.type === 'boolean') throw new AggregationError(`"${agg.field}" is not numeric; range needs a number or date`);
  if (agg.ranges.length === 0 || agg.ranges.length > MAX_RANGES) throw new AggregationError(`range needs from 1 to ${MAX_RANGES} ranges`);
  const cases = agg.ranges.map((r) => {
    const conds = [r.from !== undefined ? `${field.sql} >= ?` : '', r.to !== undefined ? `${field.sql} < ?` : ''].filter(Boolean);
    return { sql: `count(DISTINCT CASE WHEN ${conds.length ? conds.join(' AND ') : `${field.sql} IS NOT NULL`} THEN f.rowid END)`, params: [r.from, r.to].filter((v) => v !== undefined) };
  });
  const row = db
    .prepare(`SELECT ${cases.map((c, i) => `${c.sql} AS r${i}`).join(', ')} FROM ${from(field)} WHERE ${scope.sql}`)
    .get(...cases.flatMap((c) => c.params), ...scope.params) as Record<string, number>;
  const buckets = agg.ranges.map((r, i): Bucket => ({
    key: r.key ?? `${r.from ?? '*'}-${r.to ?? '*'}`,
    ...(r.from !== undefined && { from: r.from }),
    ...(r.to !== undefined && { to: r.to }),
    doc_count: row[`r${i}`] ?? 0,
  }));
  return { field, result: { buckets } };
}

/** Runs one aggregation; `depth` 0 may carry sub-aggregations, depth 1 may not. */
function run(db: Database.Database, scope: Scope, agg: Aggregation, bounds: Bounds, depth: number, budget: Budget): BucketResult | StatsResult {
  const subs = 'aggs' in agg && agg.aggs !== undefined ? Object.entries(agg.aggs) : [];
  if (subs.length > 0 && depth > 0) throw new AggregationError('aggregations nest one level deep at most');
  spend(budget, 1, 0);
  if ('stats' in agg) return runStats(db, scope, agg.stats, bounds);
  let result: BucketResult;
  let bucketScopes: Scope[];
  if ('terms' in agg) {
    const t = runTerms(db, scope, agg.terms, bounds);
    result = t.result;
    bucketScopes = t.keys.map((k) => (t.field.joinsRemoteIps
      ? restrict(scope, `f.rowid IN (SELECT finding FROM finding_remote_ips r WHERE ${t.field.sql} = ?)`, [k])
      : restrict(scope, `${t.field.sql} = ?`, [k])));
  } else if ('date_histogram' in agg) {
    const h = runHistogram(db, scope, agg.date_histogram, bounds);
    result = h.result;
    bucketScopes = (h.keys as number[]).map((k) => restrict(scope, `${h.field.sql} >= ? AND ${h.field.sql} < ?`, [k, k + h.width]));
  } else if ('range' in agg) {
    const r = runRange(db, scope, agg.range, bounds);
    result = r.result;
    bucketScopes = agg.range.ranges.map((range) => restrict(
      scope,
      [range.from !== undefined ? `${r.field.sql} >= ?` : '1', range.to !== undefined ? `${r.field.sql} < ?` : '1'].join(' AND '),
      [range.from, range.to].filter((v) => v !== undefined),
    ));
  } else {
    throw new AggregationError('each aggregation needs one of terms, date_histogram, stats or range');
  }
  spend(budget, 0, result.buckets.length);
  if (subs.length === 0) return result;
  return {
    ...result,
    buckets: result.buckets.map((bucket, i) => {
      if (bucket.doc_count === 0) {
        return { ...bucket, ...Object.fromEntries(subs.map(([name, sub]) => [name, 'stats' in sub ? { count: 0, min: null, max: null, avg: null, sum: 0 } : { buckets: [] }])) };
      }
      const s = bucketScopes[i]!;
      return { ...bucket, ...Object.fromEntries(subs.map(([name, sub]) => [name, run(db, s, sub, bounds, depth + 1, budget)])) };
    }),
  };
}

export function aggregate(db: Database.Database, request: AggregationRequest): AggregationResult {
  const entries = Object.entries(request.aggs);
  if (entries.length === 0 || entries.length > MAX_AGGREGATIONS) throw new AggregationError(`ask for 1 to ${MAX_AGGREGATIONS} aggregations`);
  const query = bindQuery(request.query);
  const scope: Scope = { ...whereClause({ ...request, query }), ...(query.root.kind === 'all' && { matchAll: true as const }) };
  const bounds = { ...(request.from !== undefined && { from: request.from }), ...(request.to !== undefined && { to: request.to }) };
  return db.transaction(() => {
    const total = (db.prepare(`SELECT count(*) AS n FROM findings f WHERE ${scope.sql}`).get(...scope.params) as { n: number }).n;
    const budget: Budget = { statements: 0, buckets: 0 };
    const aggregations = Object.fromEntries(entries.map(([name, agg]) => [name, run(db, scope, agg, bounds, 0, budget)]));
    return { total, aggregations };
  })();
}
