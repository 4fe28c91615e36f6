// Binds a parsed query to the field catalogue: resolves each field, parses each value once into what its
// field compares, and refuses values that do not fit their field. Every store evaluates the result.
import { bandRank, parseBand } from '../findings/severity.js';
import type { QueryNode, QueryValue, RangeOperator } from './ast.js';
import type { BoundNode, BoundQuery, ColumnField, DocumentTest, TextTest } from './bound.js';
import { isFieldName } from './field-name.js';
import { resolveField, type QueryField } from './fields.js';
import { freeTextPhrases } from './free-text.js';
import { QueryError } from './query-error.js';
import { parseTimeInterval, type TimeInterval } from './time-range.js';

/** Far deeper than anything parseQuery produces; stops hand-built trees from exhausting the stack. */
const MAX_DEPTH = 256;
/**
 * Each condition on a document path costs a store a scan of the document (in SQLite a correlated json_tree
 * subquery, whose time to prepare grows with the square of their number: about 25 ms for 250, 1.4 s for 2,000).
 */
export const MAX_DOCUMENT_CONDITIONS = 128;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface BindOptions {
  /** Epoch ms that relative times (`now-1d`) resolve against; default the current time. */
  readonly now?: number;
}

/**
 * Binds a parse tree. Throws QueryError (code INVALID_QUERY) when a value does not fit its field: a non-number
 * for `severity`, an unknown band, a wildcard in a time…; a bound query is returned as it is.
 */
export function bindQuery(query: QueryNode | BoundQuery, options: BindOptions = {}): BoundQuery {
  if (query.kind === 'bound') return query;
  const state: State = { now: options.now ?? Date.now(), documentConditions: 0 };
  return { kind: 'bound', root: bind(query, state, 0) };
}

interface State {
  readonly now: number;
  documentConditions: number;
}

function bind(node: QueryNode, state: State, depth: number): BoundNode {
  if (depth > MAX_DEPTH) throw new QueryError(`the query is nested more than ${MAX_DEPTH} levels deep`);
  switch (node.kind) {
    case 'all':
      return node;
    case 'and':
    case 'or':
      return { kind: node.kind, children: node.children.map((c) => bind(c, state, depth + 1)) };
    case 'not':
      return { kind: 'not', child: bind(node.child, state, depth + 1) };
    case 'text':
      return { kind: 'free-text', phrases: freeTextPhrases(node.value) };
    case 'exists':
      return { kind: 'exists', field: field(node.field, state) };
    case 'match':
      return compare(field(node.field, state), node.value, undefined, state.now);
    case 'range':
      return compare(field(node.field, state), node.value, node.op, state.now);
  }
}

/** Parsed queries only hold valid names; this guards trees built by hand before a name reaches a store. */
function field(name: string, state: State): QueryField {
  const resolved = resolveField(name);
  if (resolved.kind === 'document' && ++state.documentConditions > MAX_DOCUMENT_CONDITIONS) {
    throw new QueryError(
      `the query has more than ${MAX_DOCUMENT_CONDITIONS} conditions on document paths (fields outside the catalog): ` +
        'use fewer, or catalog fields such as remoteIp',
    );
  }
  if (!isFieldName(name)) throw new QueryError(`invalid field name ${JSON.stringify(name)}`);
  return resolved;
}

/** `field:value` when `op` is undefined, else `field <op> value`. */
function compare(field: QueryField, value: QueryValue, op: RangeOperator | undefined, now: number): BoundNode {
  switch (field.kind) {
    case 'remote':
      return { kind: 'text', field, test: textTest(value, op) };
    case 'document':
      return { kind: 'document', field, test: documentTest(value, op, now) };
    case 'column':
      return compareColumn(field, value, op, now);
  }
}

function compareColumn(field: ColumnField, value: QueryValue, op: RangeOperator | undefined, now: number): BoundNode {
  if (field.type === 'text') return { kind: 'text', field, test: textTest(value, op) };
  if (value.wildcard) {
    throw new QueryError(`${field.name} does not take wildcards: "${value.text}" must be a single ${field.type === 'time' ? 'time' : 'value'}`);
  }
  switch (field.type) {
    case 'number':
      return { kind: 'number', field, op: op ?? '=', value: numberValue(field.name, value) };
    case 'time':
      return { kind: 'time', field, op: op ?? '=', span: timeValue(field.name, value, now) };
    case 'boolean': {
      if (op !== undefined) throw new QueryError(`${field.name} is true or false and cannot be compared with "${op}"`);
      const lower = value.text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new QueryError(`${field.name} needs true or false, not "${value.text}"`);
      return { kind: 'boolean', field, value: lower === 'true' };
    }
    case 'band': {
      const band = parseBand(value.text);
      if (band === undefined) {
        throw new QueryError(`unknown severity band "${value.text}" for ${field.name}: use Low, Medium, High or Critical`);
      }
      return { kind: 'band', field, op: op ?? '=', rank: bandRank(band) };
    }
  }
}

/** Exact, a wildcard pattern, or (for ranges) a comparison by code point. */
function textTest(value: QueryValue, op: RangeOperator | undefined): TextTest {
  if (op !== undefined) return { kind: 'compare', op, text: value.text };
  return value.wildcard ? { kind: 'wildcard', pattern: value.text } : { kind: 'equals', text: value.text };
}

function documentTest(value: QueryValue, op: RangeOperator | undefined, now: number): DocumentTest {
  const text = value.text;
  if (value.wildcard) return { kind: 'wildcard', pattern: text };
  const number = queryNumber(text);
  if (op === undefined) {
    if (Number.isFinite(number)) return { kind: 'equals', text, number };
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'equals', text, boolean: lower };
    return { kind: 'equals', text };
  }
  if (Number.isFinite(number)) return { kind: 'number', op, value: number };
  const span = tryTime(text, now);
  if (!(span instanceof QueryError)) return { kind: 'time', op, span };
  return { kind: 'compare', op, text };
}

/** A KQL number as numeric fields read it (decimal, optional exponent); NaN for anything else. */
function queryNumber(text: string): number {
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

