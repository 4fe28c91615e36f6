// Emits a bound KQL query as a parameterised SQLite WHERE fragment over `findings f`; user text only ever travels as `?` params.
import type Database from 'better-sqlite3';
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundNode, BoundQuery, CompareOp, DocumentField, DocumentTest, Glob, TextTest } from '../../query/bound.js';
import type { QueryField } from '../../query/fields.js';
import type { FreeTextPhrase } from '../../query/free-text.js';
import type { TimeInterval } from '../../query/time-range.js';
import { COLUMN_SQL, documentPath, REMOTE_SQL, stripArrayIndexes } from './fields.js';

/** A boolean SQL expression and its parameters, in order. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/** Registers the SQL functions compiled queries call; do it once per connection. */
export function registerQueryFunctions(db: Database.Database): void {
  db.function('yg_strip_index', { deterministic: true }, (fullkey: unknown) =>
    typeof fullkey === 'string' ? stripArrayIndexes(fullkey) : null,
  );
  // JavaScript's lower-casing (full Unicode), which IAM's IgnoreCase operators are evaluated with; SQLite's
  // lower() folds ASCII only.
  db.function('yg_lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : null));
}

/**
 * Compiles a query into a WHERE fragment over the findings table aliased `f` (`'1'` for everything). A parse
 * tree is bound first (relative times against `options.now`, default the current time), which throws
 * QueryError for values that do not fit their field.
 */
export function compileQuery(query: QueryNode | BoundQuery, options: { readonly now?: number } = {}): CompiledQuery {
  const out: Output = { sql: [], params: [] };
  emit(bindQuery(query, options).root, out);
  return { sql: out.sql.join(''), params: out.params };
}

/** SQL is appended piece by piece so that compiling stays linear in the size of the query. */
interface Output {
  readonly sql: string[];
  readonly params: unknown[];
}

function emit(node: BoundNode, out: Output): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      emitBoolean(node.kind, node.children, out);
      return;
    case 'not':
      // `IS NOT 1` rather than NOT: a comparison with a NULL column is NULL, and NOT NULL would drop the row.
      out.sql.push('((');
      emit(node.child, out);
      out.sql.push(') IS NOT 1)');
      return;
    default:
      push(out, compileLeaf(node));
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
function emitBoolean(kind: 'and' | 'or', children: readonly BoundNode[], out: Output): void {
  const op = kind === 'and' ? 'AND' : 'OR';
  const texts = new Set<string>();
  const items: Array<() => void> = [];
  for (const child of children) {
    const match = child.kind === 'free-text' ? ftsQuery(child.phrases) : undefined;
    if (match !== undefined) texts.add(match);
    else items.push(() => emit(child, out));
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

function compileLeaf(node: Exclude<BoundNode, { kind: 'and' | 'or' | 'not' }>): CompiledQuery {
  switch (node.kind) {
    case 'all':
      return sql('1');
    case 'free-text': {
      const match = ftsQuery(node.phrases);
      return match === undefined ? sql('1') : ftsCondition(match);
    }
    case 'exists':
      return exists(node.field);
    case 'text':
    case 'in': {
      const condition = (column: string): CompiledQuery =>
        node.kind === 'in' ? inList(column, node.values) : textCondition(column, node.test);
      if (node.field.kind === 'column') return condition(`f.${COLUMN_SQL[node.field.column]}`);
      const column = REMOTE_SQL[node.field.column];
      return remoteParty(column, condition, column === 'ip');
    }
    case 'number':
      return sql(`f.${COLUMN_SQL[node.field.column]} ${node.op} ?`, node.value);
    case 'band':
      return sql(`f.${COLUMN_SQL[node.field.column]} ${node.op} ?`, node.rank);
    case 'time':
      return timeCondition(`f.${COLUMN_SQL[node.field.column]}`, node.span, node.op);
    case 'boolean':
      return sql(`f.${COLUMN_SQL[node.field.column]} = ?`, node.value ? 1 : 0);
    case 'document':
      return jsonTree(node.field, jsonCondition(node.test));
  }
}

function exists(field: QueryField): CompiledQuery {
  switch (field.kind) {
    case 'column':
      return sql(`f.${COLUMN_SQL[field.column]} IS NOT NULL`);
    case 'remote':
      return remoteParty(REMOTE_SQL[field.column], (column) => sql(`${column} IS NOT NULL`), false);
    case 'document':
      // Arrays exist through their elements, so `[]` and `[null]` do not count, as in Elasticsearch.
      return jsonTree(field, sql(`t.type NOT IN ('null', 'array')`));
  }
}

function sql(text: string, ...params: unknown[]): CompiledQuery {
  return { sql: text, params };
}

function ftsCondition(match: string): CompiledQuery {
  return sql('f.rowid IN (SELECT rowid FROM findings_text WHERE findings_text MATCH ?)', match);
}

/**
 * An FTS5 query built only from quoted strings, so that no FTS5 syntax of the user's reaches MATCH;
 * undefined when there are no words (the value then matches everything).
 */
function ftsQuery(phrases: readonly FreeTextPhrase[]): string | undefined {
  if (phrases.length === 0) return undefined;
  return phrases.map((p) => `${ftsString(p.words.join(' '))}${p.prefix ? ' *' : ''}`).join(' ');
}

function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
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
function textCondition(column: string, test: TextTest): CompiledQuery {
  switch (test.kind) {
    case 'compare':
      return sql(`${column} ${test.op} ?`, test.text);
    case 'wildcard':
      return sql(`${column} GLOB ?`, globPattern(test.pattern));
    case 'equals':
      return sql(`${column} = ?`, test.text);
    case 'glob':
      return sql(`${column} GLOB ?`, sqliteGlob(test.glob));
    case 'equals-ignore-case':
      return test.lowered.length === 0 ? sql('0') : sql(`yg_lower(${column}) IN (SELECT value FROM json_each(?))`, JSON.stringify(test.lowered));
  }
}

/** An IAM glob in SQLite's GLOB syntax: its own `*` and `?`, and every special character of the text escaped. */
function sqliteGlob(glob: Glob): string {
  return glob.map((t) => (t.kind === 'star' ? '*' : t.kind === 'one' ? '?' : t.text.replace(/[[\]*?]/g, (c) => `[${c}]`))).join('');
}

/** One parameter however long the list (a scope may name thousands of accounts). */
function inList(column: string, values: readonly string[]): CompiledQuery {
  if (values.length === 0) return sql('0');
  return sql(`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values));
}

/** A date-only or rounded time covers a span: `:` matches inside it, `<=` and `>` go past its end. */
function timeCondition(column: string, span: TimeInterval, op: CompareOp): CompiledQuery {
  switch (op) {
    case '=':
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
function jsonTree(field: DocumentField, condition: JsonCondition): CompiledQuery {
  const path = documentPath(field.segments);
  // With a needle, a document without it in its text cannot hold the value: it is skipped before json_tree parses
  // it (1M store, counting a country name over 24 hours, 48k documents: 658 → 456 ms; reading them is most of the rest).
  const needle = condition.needle === undefined ? [] : [condition.needle];
  return sql(
    `EXISTS (SELECT 1 FROM finding_versions v, json_tree(v.doc, ?) t WHERE v.seq = f.current` +
      `${needle.length > 0 ? ' AND instr(v.doc, ?) > 0' : ''} AND ${condition.sql} AND yg_strip_index(t.fullkey) = ?)`,
    path.root,
    ...needle,
    ...condition.params,
    path.key,
  );
}

/**
 * A condition on json_tree rows, and text every document it can match contains: stored documents are
 * `JSON.stringify` output, so a text atom equal to `s` appears in them as `JSON.stringify(s)`.
 */
interface JsonCondition extends CompiledQuery {
  readonly needle?: string;
}

/** Conditions on `t` (a json_tree row). */
function jsonCondition(test: DocumentTest): JsonCondition {
  switch (test.kind) {
    case 'wildcard':
      return sql(`t.type = 'text' AND t.atom GLOB ?`, globPattern(test.pattern));
    case 'equals':
      if (test.number !== undefined) {
        return sql(`((t.type IN ('integer', 'real') AND t.atom = ?) OR (t.type = 'text' AND t.atom = ?))`, test.number, test.text);
      }
      if (test.boolean !== undefined) return sql(`(t.type = ? OR (t.type = 'text' AND t.atom = ?))`, test.boolean, test.text);
      return { ...sql(`t.type = 'text' AND t.atom = ?`, test.text), needle: JSON.stringify(test.text) };
    case 'number':
      return sql(`t.type IN ('integer', 'real') AND t.atom ${test.op} ?`, test.value);
    case 'time': {
      // Timestamps in GuardDuty documents are ISO-8601 strings; SQLite reads them, `Z` and offsets included.
      const cond = timeCondition(`round(unixepoch(t.atom, 'subsec') * 1000)`, test.span, test.op);
      return sql(`t.type = 'text' AND ${cond.sql}`, ...cond.params);
    }
    case 'compare':
      return sql(`t.type = 'text' AND t.atom ${test.op} ?`, test.text);
  }
}

/** A GLOB pattern where `*` is the wildcard and every other GLOB metacharacter is literal. */
function globPattern(text: string): string {
  return text.replace(/[[\]?]/g, (c) => `[${c}]`);
}
