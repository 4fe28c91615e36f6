// A search page in PostgreSQL: the matches of a query and time window, in a sort with ties broken by the key in
// the same direction, a keyset cursor after the last row, and a total counted up to a cap.
import { bindQuery } from '../../query/bind.js';
import type { QueryNode } from '../../query/ast.js';
import type { BoundQuery } from '../../query/bound.js';
import type { SearchPage, SearchRequest, SortField } from '../finding-store.js';
import { compileQuery, Params, type CompileOptions } from './compile-query.js';
import type { Reader } from './read.js';
import { RECORD_COLUMNS, RECORD_FROM, toRecord, type RecordRow } from './records.js';

/** Sort expressions never yield NULL, so keyset comparisons stay total (a missing createdAt sorts as 0). */
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

/** The WHERE fragment of a query and time window over `findings f`, its parameters in `p`. */
export function whereOf(request: { readonly query: QueryNode | BoundQuery; readonly from?: number; readonly to?: number }, p: Params, options: CompileOptions): string {
  const conditions = [compileQuery(bindQuery(request.query), p, options)];
  if (request.from !== undefined) conditions.push(`f.updated_at >= ${p.add(request.from)}`);
  if (request.to !== undefined) conditions.push(`f.updated_at < ${p.add(request.to)}`);
  return conditions.join(' AND ');
}

/** One page and its total; `known`: the total counted already, up to the cap plus one (the facets'), so not counted here. */
export async function searchPage(reader: Reader, request: SearchRequest, options: CompileOptions, known?: number): Promise<SearchPage> {
  const p = new Params();
  const where = whereOf(request, p, options);
  const countParams = [...p.values];
  const cap = request.trackTotalUpTo;
  const sort = SORT_SQL[request.sort.field];
  const dir = request.sort.order === 'desc' ? 'DESC' : 'ASC';
  const keyset = request.after === undefined
    ? ''
    : ` AND (${sort}, f.account_id, f.region, f.id) ${dir === 'DESC' ? '<' : '>'} (${p.add(request.after.value)}, ${p.add(request.after.key.accountId)}, ${p.add(request.after.key.region)}, ${p.add(request.after.key.id)})`;
  // Like Elasticsearch, count exactly only up to a bound: past it, counting would cost a scan of every match.
  const countSql = cap === undefined
    ? `SELECT count(*) AS n FROM findings f WHERE ${where}`
    : `SELECT count(*) AS n FROM (SELECT 1 FROM findings f WHERE ${where} LIMIT $${countParams.push(Math.max(0, Math.floor(cap)) + 1)}) AS capped`;
  const counted = known ?? (await reader.rows<{ n: number }>(countSql, countParams))[0]?.n ?? 0;
  const over = cap !== undefined && counted > cap;
  const total = over ? cap : counted;
  const totalRelation = over ? 'gte' : 'eq';
  if (counted === 0) return { total, totalRelation, findings: [] };
  const rows = await reader.rows<RecordRow & { sort_value: string | number }>(
    `SELECT ${RECORD_COLUMNS}, ${sort} AS sort_value FROM ${RECORD_FROM} WHERE ${where}${keyset}
     ORDER BY ${sort} ${dir}, f.account_id ${dir}, f.region ${dir}, f.id ${dir} LIMIT ${p.add(request.size + 1)}`,
    p.values,
  );
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
