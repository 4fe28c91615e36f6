// Compiles a KQL query into a parameterised SQLite WHERE fragment over `findings f`; user text only ever travels as `?` params.
import type Database from 'better-sqlite3';
import { bandRank, parseBand } from '../../findings/severity.js';
import type { QueryNode, QueryValue, RangeOperator } from '../../query/ast.js';
import { isFieldName } from '../../query/field-name.js';
import { freeTextPhrases } from '../../query/free-text.js';
import { QueryError } from '../../query/query-error.js';
import { parseTimeInterval, type TimeInterval } from '../../query/time-range.js';
import { resolveField, stripArrayIndexes, type SqliteField } from './fields.js';

/** A boolean SQL expression and its parameters, in order. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: unknown[];
}

type ColumnField = Extract<SqliteField, { kind: 'column' }>;
type JsonField = Extract<SqliteField, { kind: 'json' }>;

/** Far deeper than anything parseQuery produces; stops hand-built trees from exhausting the stack. */
const MAX_DEPTH = 256;
/**
 * Each condition on a document path is a correlated json_tree subquery, and SQLite's time to prepare them
 * grows with the square of their number (about 25 ms for 250, 1.4 s for 2,000): cap them.
 */
export const MAX_DOCUMENT_CONDITIONS = 128;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Registers the SQL functions compiled queries call; do it once per connection. */
export function registerQueryFunctions(db: Database.Database): void {
  db.function('yg_strip_index', { deterministic: true }, (fullkey: unknown) =>
    typeof fullkey === 'string' ? stripArrayIndexes(fullkey) : null,
  );
}

/**
 * Compiles a query into a WHERE fragment over the findings table aliased `f` (`'1'` for everything).
 * Relative times (`now-1d`) resolve against `options.now`, default the current time. Throws QueryError
 * (code INVALID_QUERY) when a value does not fit its field: a non-number for `severity`, an unknown band…
 */
export function compileQuery(node: QueryNode, options: { readonly now?: number } = {}): CompiledQuery {
  const out: Output = { sql: [], params: [], documentConditions: 0 };
  emit(node, options.now ?? Date.now(), 0, out);
  return { sql: out.sql.join(''), params: out.params };
}

/** SQL is appended piece by piece so that compiling stays linear in the size of the query. */
interface Output {
  readonly sql: string[];
  readonly params: unknown[];
  documentConditions: number;
}

function emit(node: QueryNode, now: number, depth: number, out: Output): void {
  if (depth > MAX_DEPTH) throw new QueryError(`the query is nested more than ${MAX_DEPTH} levels deep`);
  switch (node.kind) {
    case 'and':
    case 'or':
      emitBoolean(node.kind, node.children, now, depth + 1, out);
      return;
    case 'not':
      // `IS NOT 1` rather than NOT: a comparison with a NULL column is NULL, and NOT NULL would drop the row.
      out.sql.push('((');
      emit(node.child, now, depth + 1, out);
      out.sql.push(') IS NOT 1)');
      return;
    default: {
      if (node.kind !== 'all' && node.kind !== 'text' && resolveField(node.field).kind === 'json') {
        if (++out.documentConditions > MAX_DOCUMENT_CONDITIONS) {
          throw new QueryError(
            `the query has more than ${MAX_DOCUMENT_CONDITIONS} conditions on document paths (fields outside the catalog): ` +
              'use fewer, or catalog fields such as remoteIp',
          );
        }
      }
      push(out, compileLeaf(node, now));
    }
  }
}

function push(out: Output, compiled: CompiledQuery): void {
  out.sql.push(compiled.sql);
  for (const p of compiled.params) out.params.push(p);
}

/**
 * The free-text operands of one and/or become a single FTS5 query (duplicates dropped), so that `a b c …`
 * costs one full-text lookup instead of one per word. The rest join as a balanced tree: SQLite limits
 * expression depth to 1000, and `a OR b OR …` nests one level per term.
 */
function emitBoolean(kind: 'and' | 'or', children: readonly QueryNode[], now: number, depth: number, out: Output): void {
  const op = kind === 'and' ? 'AND' : 'OR';
  const texts = new Set<string>();
  const items: Array<() => void> = [];
  for (const child of children) {
    const match = child.kind === 'text' ? ftsQuery(child.value) : undefined;
    if (match !== undefined) texts.add(match);
    else items.push(() => emit(child, now, depth, out));
  }
  if (texts.size > 0) {
    const match = texts.size === 1 ? [...texts][0]! : [...texts].map((t) => `(${t})`).join(` ${op} `);
    items.push(() => push(out, ftsCondition(match)));
  }
  if (items.length === 0) out.sql.push(kind === 'and' ? '1' : '0');
  else emitBalanced(items, 0, items.length, ` ${op} `, out);
}

function emitBalanced(items: ReadonlyArray<() => void>, lo: number, hi: number, op: string, out: Output): void {
  if (hi - lo === 1) {
    items[lo]!();
    return;
  }
  const mid = (lo + hi) >> 1;
  out.sql.push('(');
  emitBalanced(items, lo, mid, op, out);
  out.sql.push(op);
  emitBalanced(items, mid, hi, op, out);
  out.sql.push(')');
}

function compileLeaf(node: Exclude<QueryNode, { kind: 'and' | 'or' | 'not' }>, now: number): CompiledQuery {
  switch (node.kind) {
    case 'all':
      return sql('1');
    case 'text': {
      const match = ftsQuery(node.value);
      return match === undefined ? sql('1') : ftsCondition(match);
    }
    case 'exists':
      return exists(field(node.field));
    case 'match':
      return compare(field(node.field), node.value, undefined, now);
    case 'range':
      return compare(field(node.field), node.value, node.op, now);
  }
}

function sql(text: string, ...params: unknown[]): CompiledQuery {
  return { sql: text, params };
}

/** Parsed queries only hold valid names; this guards trees built by hand before a name becomes a JSON path. */
function field(name: string): SqliteField {
  if (!isFieldName(name)) throw new QueryError(`invalid field name ${JSON.stringify(name)}`);
  return resolveField(name);
}

function ftsCondition(match: string): CompiledQuery {
  return sql('f.rowid IN (SELECT rowid FROM findings_text WHERE findings_text MATCH ?)', match);
}

/**
 * An FTS5 query built only from quoted strings, so that no FTS5 syntax of the user's reaches MATCH;
 * undefined when the value has no words (it then matches everything).
 */
function ftsQuery(value: QueryValue): string | undefined {
  const phrases = freeTextPhrases(value);
  if (phrases.length === 0) return undefined;
  return phrases.map((p) => `${ftsString(p.words.join(' '))}${p.prefix ? ' *' : ''}`).join(' ');
}

function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function exists(field: SqliteField): CompiledQuery {
  switch (field.kind) {
    case 'column':
      return sql(`f.${field.column} IS NOT NULL`);
    case 'remote':
      return remoteParty(field.column, (column) => sql(`${column} IS NOT NULL`), false);
    case 'json':
      // Arrays exist through their elements, so `[]` and `[null]` do not count, as in Elasticsearch.
      return jsonTree(field, sql(`t.type NOT IN ('null', 'array')`));
  }
}

/** `field:value` when `op` is undefined, else `field <op> value`. */
function compare(field: SqliteField, value: QueryValue, op: RangeOperator | undefined, now: number): CompiledQuery {
  switch (field.kind) {
    case 'column':
      return compareColumn(field, value, op, now);
    case 'remote':
      return remoteParty(field.column, (column) => textCondition(column, value, op), field.column === 'ip');
    case 'json':
      return jsonTree(field, jsonCondition(value, op, now));
  }
}

function compareColumn(field: ColumnField, value: QueryValue, op: RangeOperator | undefined, now: number): CompiledQuery {
  const column = `f.${field.column}`;
  if (field.type === 'text') return textCondition(column, value, op);
  if (value.wildcard) {
    throw new QueryError(`${field.name} does not take wildcards: "${value.text}" must be a single ${field.type === 'time' ? 'time' : 'value'}`);
  }
  switch (field.type) {
    case 'number':
      return sql(`${column} ${op ?? '='} ?`, numberValue(field.name, value));
    case 'time':
      return timeCondition(column, timeValue(field.name, value, now), op);
    case 'boolean': {
      if (op !== undefined) throw new QueryError(`${field.name} is true or false and cannot be compared with "${op}"`);
      const lower = value.text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new QueryError(`${field.name} needs true or false, not "${value.text}"`);
      return sql(`${column} = ?`, lower === 'true' ? 1 : 0);
    }
    case 'band': {
      const band = parseBand(value.text);
      if (band === undefined) {
        throw new QueryError(`unknown severity band "${value.text}" for ${field.name}: use Low, Medium, High or Critical`);
      }
      return sql(`${column} ${op ?? '='} ?`, bandRank(band));
    }
  }
}

/**
 * A finding with a remote party meeting `cond`. Conditions on the IP use its index: the few findings it
 * names become a list. Others (country, organisation, any IP at all) match most findings, so each candidate
 * finding is probed instead (measured at 1M, 7 days, `remoteCountry:*` top 50: 2.3 s as a list, 32 ms probed).
 */
function remoteParty(column: 'ip' | 'country' | 'org', condition: (column: string) => CompiledQuery, indexed: boolean): CompiledQuery {
  if (indexed) {
    const cond = condition(column);
    return sql(`f.rowid IN (SELECT finding FROM finding_remote_ips WHERE ${cond.sql})`, ...cond.params);
  }
  const cond = condition(`r.${column}`);
  return sql(`EXISTS (SELECT 1 FROM finding_remote_ips r WHERE r.finding = f.rowid AND ${cond.sql})`, ...cond.params);
}

/** Exact (case-sensitive), GLOB for wildcards, or a string comparison for ranges. */
function textCondition(column: string, value: QueryValue, op: RangeOperator | undefined): CompiledQuery {
  if (op !== undefined) return sql(`${column} ${op} ?`, value.text);
  return value.wildcard ? sql(`${column} GLOB ?`, globPattern(value.text)) : sql(`${column} = ?`, value.text);
}

/** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
function timeCondition(column: string, span: TimeInterval, op: RangeOperator | undefined): CompiledQuery {
  switch (op) {
    case undefined:
      if (span.end - span.start === 1) return sql(`${column} = ?`, span.start);
      return sql(`(${column} >= ? AND ${column} < ?)`, span.start, span.end);
    case '<':
      return sql(`${column} < ?`, span.start);
    case '<=':
      return sql(`${column} < ?`, span.end);
    case '>':
      return sql(`${column} >= ?`, span.end);
    case '>=':
      return sql(`${column} >= ?`, span.start);
  }
}

/**
 * Every atom of the document under the field's first segment whose key, array indexes removed, is the
 * field's path: `a.b:x` matches `{"a":[{"b":"x"}]}` as Elasticsearch's flattened arrays do. The value
 * condition comes before the key check so the SQL function runs only for atoms that already match.
 */
function jsonTree(field: JsonField, condition: JsonCondition): CompiledQuery {
  // With a needle, a document without it in its text cannot hold the value: it is skipped before json_tree parses
  // it (1M store, counting a country name over 24 hours, 48k documents: 658 → 456 ms; reading them is most of the rest).
  const needle = condition.needle === undefined ? [] : [condition.needle];
  return sql(
    `EXISTS (SELECT 1 FROM finding_versions v, json_tree(v.doc, ?) t WHERE v.seq = f.current` +
      `${needle.length > 0 ? ' AND instr(v.doc, ?) > 0' : ''} AND ${condition.sql} AND yg_strip_index(t.fullkey) = ?)`,
    field.root,
    ...needle,
    ...condition.params,
    field.key,
  );
}

/**
 * A condition on json_tree rows, and text every document it can match contains: stored documents are
 * `JSON.stringify` output, so a text atom equal to `s` appears in them as `JSON.stringify(s)`.
 */
interface JsonCondition extends CompiledQuery {
  readonly needle?: string;
}

/** Conditions on `t` (a json_tree row). Numbers match JSON numbers or the same text; true/false match JSON booleans. */
function jsonCondition(value: QueryValue, op: RangeOperator | undefined, now: number): JsonCondition {
  const text = value.text;
  if (value.wildcard) return sql(`t.type = 'text' AND t.atom GLOB ?`, globPattern(text));
  const number = NUMBER.test(text) ? Number(text) : undefined;
  if (op === undefined) {
    if (number !== undefined && Number.isFinite(number)) {
      return sql(`((t.type IN ('integer', 'real') AND t.atom = ?) OR (t.type = 'text' AND t.atom = ?))`, number, text);
    }
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') {
      return sql(`(t.type = ? OR (t.type = 'text' AND t.atom = ?))`, lower, text);
    }
    return { ...sql(`t.type = 'text' AND t.atom = ?`, text), needle: JSON.stringify(text) };
  }
  if (number !== undefined && Number.isFinite(number)) return sql(`t.type IN ('integer', 'real') AND t.atom ${op} ?`, number);
  const span = tryTime(text, now);
  if (!(span instanceof QueryError)) {
    // Timestamps in GuardDuty documents are ISO-8601 strings; SQLite reads them, `Z` and offsets included.
    const cond = timeCondition(`round(unixepoch(t.atom, 'subsec') * 1000)`, span, op);
    return sql(`t.type = 'text' AND ${cond.sql}`, ...cond.params);
  }
  return sql(`t.type = 'text' AND t.atom ${op} ?`, text);
}

/** A GLOB pattern where `*` is the wildcard and every other GLOB metacharacter is literal. */
function globPattern(text: string): string {
  return text.replace(/[[\]?]/g, (c) => `[${c}]`);
}

/** A KQL number as numeric fields read it (decimal, optional exponent); NaN for anything else. */
export function queryNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

function numberValue(field: string, value: QueryValue): number {
  const n = queryNumber(value.text);
  if (!Number.isFinite(n)) throw new QueryError(`${field} needs a number, not "${value.text}"`);
  return n;
}

function timeValue(field: string, value: QueryValue, now: number): TimeInterval {
  const span = tryTime(value.text, now);
  if (span instanceof QueryError) throw new QueryError(`invalid time for ${field}: ${span.message}`);
  return span;
}

function tryTime(text: string, now: number): TimeInterval | QueryError {
  try {
    return parseTimeInterval(text, now);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
}
