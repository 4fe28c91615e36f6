// Filtered, sorted, keyset-paginated search over current findings.
import type Database from 'better-sqlite3';
import type { SearchPage, SearchRequest, SortField } from '../finding-store.js';
import { compileQuery } from './compile-query.js';
import { RECORD_COLUMNS, toRecord, type RecordRow } from './rows.js';

/** Sort expressions never yield NULL, so keyset comparisons stay total. */
const SORT_SQL: Readonly<Record<SortField, string>> = {
  updatedAt: 'f.updated_at',
  createdAt: 'COALESCE(f.created_at, 0)',
  severity: 'f.severity',
  type: 'f.type',
  accountId: 'f.account_id',
  region: 'f.region',
  count: 'f.count',
  firstSeen: 'f.first_seen',
  lastSeen: 'f.last_seen',
};

/** The WHERE clause of a query plus an `updatedAt` time range. */
export function whereClause(request: { query: SearchRequest['query']; from?: number; to?: number }): { sql: string; params: unknown[] } {
  const compiled = compileQuery(request.query);
  const parts = [`(${compiled.sql})`];
  const params = [...compiled.params];
  if (request.from !== undefined) {
    parts.push('f.updated_at >= ?');
    params.push(request.from);
  }
  if (request.to !== undefined) {
    parts.push('f.updated_at < ?');
    params.push(request.to);
  }
  return { sql: parts.join(' AND '), params };
}

/**
 * One page of findings and their total. `counted` is the total when the caller counted it already (the
 * in-memory facets do, for queries on the fields they hold), up to `trackTotalUpTo` + 1.
 */
export function search(db: Database.Database, request: SearchRequest, counted?: number): SearchPage {
  const where = whereClause(request);
  // Counting every match of a broad query costs a scan; like Elasticsearch, count exactly only up to a bound.
  const cap = request.trackTotalUpTo;
  counted ??= cap === undefined
    ? (db.prepare(`SELECT count(*) AS n FROM findings f WHERE ${where.sql}`).get(...where.params) as { n: number }).n
    : (db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM findings f WHERE ${where.sql} LIMIT ?)`).get(...where.params, cap + 1) as { n: number }).n;
  const total = cap !== undefined && counted > cap ? cap : counted;
  const totalRelation = cap !== undefined && counted > cap ? 'gte' : 'eq';
  const sortSql = SORT_SQL[request.sort.field];
  const dir = request.sort.order === 'desc' ? 'DESC' : 'ASC';
  const params = [...where.params];
  let keyset = '';
  if (request.after !== undefined) {
    keyset = ` AND (${sortSql}, f.account_id, f.region, f.id) ${request.sort.order === 'desc' ? '<' : '>'} (?, ?, ?, ?)`;
    const { value, key } = request.after;
    params.push(value, key.accountId, key.region, key.id);
  }
  // The page's rows are chosen first and their documents read after: read inside the sorted query, every
  // matching row's document would be fetched before the sort (measured at 1M, 7 days: `type:Recon*` 764 → 310 ms).
  const order = (sortValue: string): string => `ORDER BY ${sortValue} ${dir}, f.account_id ${dir}, f.region ${dir}, f.id ${dir}`;
  const rows = db
    .prepare(
      `SELECT ${RECORD_COLUMNS}, page.sort_value FROM (
         SELECT f.rowid AS rid, ${sortSql} AS sort_value FROM findings f WHERE ${where.sql}${keyset} ${order(sortSql)} LIMIT ?
       ) page JOIN findings f ON f.rowid = page.rid
       ${order('page.sort_value')}`,
    )
    .all(...params, request.size + 1) as Array<RecordRow & { sort_value: string | number }>;
  const more = rows.length > request.size;
  const page = more ? rows.slice(0, request.size) : rows;
  const last = page[page.length - 1];
  return {
    total,
    totalRelation,
    findings: page.map(toRecord),
    ...(more && last ? { next: { value: last.sort_value, key: { accountId: last.account_id, region: last.region, id: last.id } } } : {}),
  };
}
