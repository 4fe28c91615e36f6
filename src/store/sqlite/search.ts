// Filtered, sorted, keyset-paginated search over current findings.
import type Database from 'better-sqlite3';
import type { SearchPage, SearchRequest, SortField } from '../finding-store.js';
import type { FacetPageCandidates, SearchHints } from '../facets/facet-page.js';
import { compileQuery, type CompiledQuery } from './compile-query.js';
import { LazyRecord, RECORD_COLUMNS, type RecordRow } from './rows.js';

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

/**
 * Rows a newest-first walk examines at most (see `walkSortOrder`). It is tried only when a page's matches are
 * expected within half of these, and given up for the planner's plan when they are not found within all of them.
 */
export const WALK_ROWS = 20_000;
/** Window rows counted at most to decide on a walk: beyond them (millions of findings, a capped count) it is not tried. */
const WINDOW_COUNT_LIMIT = 250_000;
/** Window rows counted at most to find that a query has few matches for its window (see walkSortOrder). */
const FEW_MATCHES_COUNT_LIMIT = 20_000;

/** An `updatedAt` time range as SQL over `findings f` ('1' when there is none). */
function timeRange(request: { from?: number; to?: number }): CompiledQuery {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (request.from !== undefined) {
    parts.push('f.updated_at >= ?');
    params.push(request.from);
  }
  if (request.to !== undefined) {
    parts.push('f.updated_at < ?');
    params.push(request.to);
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

function both(a: CompiledQuery, b: CompiledQuery): CompiledQuery {
  return { sql: `(${a.sql}) AND ${b.sql}`, params: [...a.params, ...b.params] };
}

/** The WHERE clause of a query plus an `updatedAt` time range. */
export function whereClause(request: { query: SearchRequest['query']; from?: number; to?: number }): { sql: string; params: unknown[] } {
  return both(compileQuery(request.query), timeRange(request));
}

/** Rows after the cursor in the sort order ('1' without one). */
function keysetCondition(request: SearchRequest): CompiledQuery {
  if (request.after === undefined) return { sql: '1', params: [] };
  const sortSql = SORT_SQL[request.sort.field];
  const { value, key } = request.after;
  const desc = request.sort.order === 'desc';
  // The first term alone lets an index on the sort column range over the rows after the cursor.
  return {
    sql: `${sortSql} ${desc ? '<=' : '>='} ? AND (${sortSql}, f.account_id, f.region, f.id) ${desc ? '<' : '>'} (?, ?, ?, ?)`,
    params: [value, value, key.accountId, key.region, key.id],
  };
}

function orderBy(sortValue: string, request: SearchRequest): string {
  const dir = request.sort.order === 'desc' ? 'DESC' : 'ASC';
  return `ORDER BY ${sortValue} ${dir}, f.account_id ${dir}, f.region ${dir}, f.id ${dir}`;
}

interface PageRow {
  readonly rid: number;
  readonly sortValue: string | number;
}

/**
 * The page by the planner's plan: every match found through the query's best index, then sorted. Cheap when the
 * matches are few, slow when they are many (`type:UnauthorizedAccess*` at 1M: 685 ms, all of it fetching and
 * sorting ~150k rows for 51).
 */
function plannedPage(db: Database.Database, request: SearchRequest, where: CompiledQuery, keyset: CompiledQuery): PageRow[] {
  const sortSql = SORT_SQL[request.sort.field];
  const rows = db
    .prepare(`SELECT f.rowid AS rid, ${sortSql} AS sort_value FROM findings f WHERE ${where.sql} AND ${keyset.sql} ${orderBy(sortSql, request)} LIMIT ?`)
    .raw()
    .all(...where.params, ...keyset.params, request.size + 1) as Array<[number, string | number]>;
  return rows.map(([rid, sortValue]) => ({ rid, sortValue }));
}

/**
 * The page by walking the `updated_at` index in the sort order and testing each row, stopping at a page's worth:
 * a broad query's newest matches come after a few hundred rows (the same query: 241 rows, 0.7 ms). Tried only
 * when `matches` of the window's rows (at least; a capped count is a lower bound) put a page within half of
 * WALK_ROWS; undefined when the walk reached WALK_ROWS first (matches lie elsewhere in time) and the planner's
 * plan must answer instead. The page is exact either way: rows are tested in the order they are returned.
 */
function walkSortOrder(
  db: Database.Database,
  request: SearchRequest,
  query: CompiledQuery,
  window: CompiledQuery,
  matches: number,
  walkRows: number,
): PageRow[] | undefined {
  const wanted = request.size + 1;
  const worthWithin = Math.floor((matches * walkRows) / (2 * wanted));
  // The window's size, counted only as far as needed; the largest rowid bounds it for free.
  const maxRowid = (db.prepare('SELECT max(rowid) FROM findings').pluck().get() as number | null) ?? 0;
  if (maxRowid > worthWithin) {
    if (window.sql === '1' || worthWithin > WINDOW_COUNT_LIMIT) return undefined;
    const inWindow = db
      .prepare(`SELECT count(*) FROM (SELECT 1 FROM findings f WHERE ${window.sql} LIMIT ?)`)
      .pluck()
      .get(...window.params, worthWithin + 1) as number;
    if (inWindow > worthWithin) return undefined;
  }
  // A few matches in a large window are cheaper fetched through the query's own index than met on a walk, which
  // examines about window × wanted / matches rows (1M store, a country over 24 hours: ~370 of 37k rows, 5k walked).
  const fewMatchesWithin = Math.floor((matches * matches) / wanted);
  if (fewMatchesWithin < FEW_MATCHES_COUNT_LIMIT) {
    const inWindow = db
      .prepare(`SELECT count(*) FROM (SELECT 1 FROM findings f WHERE ${window.sql} LIMIT ?)`)
      .pluck()
      .get(...window.params, fewMatchesWithin + 1) as number;
    if (inWindow > fewMatchesWithin) return undefined;
  }
  const walk = db
    .prepare(
      `SELECT f.rowid, f.updated_at, CASE WHEN (${query.sql}) THEN 1 ELSE 0 END
       FROM findings f WHERE ${window.sql} ${orderBy('f.updated_at', request)}`,
    )
    .raw();
  const page: PageRow[] = [];
  let examined = 0;
  for (const [rid, sortValue, hit] of walk.iterate(...query.params, ...window.params) as IterableIterator<[number, number, number]>) {
    if (hit === 1 && page.push({ rid, sortValue }) === wanted) return page;
    if (++examined === walkRows) return undefined;
  }
  return page;
}

/**
 * The page from the rows the in-memory facets chose (see facet-page.ts), read in the given order and ordered here
 * by the full sort key; undefined when a row no longer matches (a commit between the facets' choice and this
 * read), and the page must be found the usual way.
 */
function candidatePage(db: Database.Database, request: SearchRequest, where: CompiledQuery, keyset: CompiledQuery, candidates: FacetPageCandidates): PageRow[] | undefined {
  const wanted = request.size + 1;
  // CROSS JOIN keeps the candidates as the outer loop: each is one rowid lookup, whatever indexes the query has.
  const rows = db
    .prepare(
      `SELECT f.rowid AS rid, f.updated_at FROM json_each(?) AS c CROSS JOIN findings f ON f.rowid = c.value
       WHERE ${where.sql} AND ${keyset.sql} ${orderBy('f.updated_at', request)} LIMIT ?`,
    )
    .raw()
    .all(JSON.stringify([...candidates.atCursor, ...candidates.beyond]), ...where.params, ...keyset.params, wanted) as Array<[number, number]>;
  if (rows.length < Math.min(wanted, candidates.beyond.length)) return undefined;
  return rows.map(([rid, sortValue]) => ({ rid, sortValue }));
}

/** One page of findings and their total. `walkRows` is WALK_ROWS but for tests. */
export function search(db: Database.Database, request: SearchRequest, hints: SearchHints = {}, walkRows = WALK_ROWS): SearchPage {
  let counted = hints.counted;
  const query = compileQuery(request.query);
  const range = timeRange(request);
  const where = both(query, range);
  // Counting every match of a broad query costs a scan; like Elasticsearch, count exactly only up to a bound.
  const cap = request.trackTotalUpTo;
  counted ??= cap === undefined
    ? (db.prepare(`SELECT count(*) AS n FROM findings f WHERE ${where.sql}`).get(...where.params) as { n: number }).n
    : (db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM findings f WHERE ${where.sql} LIMIT ?)`).get(...where.params, cap + 1) as { n: number }).n;
  const total = cap !== undefined && counted > cap ? cap : counted;
  const totalRelation = cap !== undefined && counted > cap ? 'gte' : 'eq';
  if (counted === 0) return { total, totalRelation, findings: [] };
  const keyset = keysetCondition(request);
  const byTime = request.sort.field === 'updatedAt';
  const page =
    (byTime && hints.candidates !== undefined ? candidatePage(db, request, where, keyset, hints.candidates) : undefined) ??
    (byTime ? walkSortOrder(db, request, query, both(range, keyset), counted, walkRows) : undefined) ??
    plannedPage(db, request, where, keyset);
  // Documents are read for the page's rows only: read while choosing them, every candidate's document would be
  // fetched (measured at 1M, 7 days: `type:Recon*` 764 → 310 ms).
  const record = db.prepare(`SELECT ${RECORD_COLUMNS} FROM findings f WHERE f.rowid = ?`);
  const more = page.length > request.size;
  const rows = (more ? page.slice(0, request.size) : page).map((row) => ({ ...(record.get(row.rid) as RecordRow), sortValue: row.sortValue }));
  const last = rows[rows.length - 1];
  return {
    total,
    totalRelation,
    findings: rows.map(LazyRecord.of),
    ...(more && last ? { next: { value: last.sortValue, key: { accountId: last.account_id, region: last.region, id: last.id } } } : {}),
  };
}
