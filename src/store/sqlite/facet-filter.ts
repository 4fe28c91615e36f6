// Counts the findings a KQL query matches from the in-memory facets, for the queries whose every condition is on
// a field the facets hold; the conditions mean exactly what compile-query.ts makes of them in SQL.
import { bandRank, parseBand } from '../../findings/severity.js';
import type { QueryNode, QueryValue, RangeOperator } from '../../query/ast.js';
import type { FacetColumns, RemoteFacet, TextFacet } from '../facets/facet-columns.js';
import { facetField } from '../facets/facet-request.js';
import { compareText } from '../facets/sqlite-semantics.js';

/** Whether slot s matches; undefined from the compiler means the query needs SQL. */
type Test = (s: number) => boolean;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX_DEPTH = 64;

/** `col op value` on text, as SQLite compares TEXT with BINARY collation; wildcards as GLOB with only `*`. */
function textPredicate(value: QueryValue, op: RangeOperator | undefined): (text: string) => boolean {
  if (op !== undefined) {
    const v = value.text;
    switch (op) {
      case '<':
        return (t) => compareText(t, v) < 0;
      case '<=':
        return (t) => compareText(t, v) <= 0;
      case '>':
        return (t) => compareText(t, v) > 0;
      case '>=':
        return (t) => compareText(t, v) >= 0;
    }
  }
  if (!value.wildcard) return (t) => t === value.text;
  const parts = value.text.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  return (t) => {
    if (t.length < first.length + last.length || !t.startsWith(first) || !t.endsWith(last)) return false;
    let at = first.length;
    const end = t.length - last.length;
    for (let i = 1; i < parts.length - 1; i++) {
      const found = t.indexOf(parts[i]!, at);
      if (found < 0 || found + parts[i]!.length > end) return false;
      at = found + parts[i]!.length;
    }
    return true;
  };
}

/** A mask over a dictionary's codes: which distinct values meet the condition (each value is tested once). */
function codeMask(values: readonly string[], test: (text: string) => boolean): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let code = 0; code < values.length; code++) if (test(values[code]!)) mask[code] = 1;
  return mask;
}

function compare(op: RangeOperator | undefined, a: number, b: number): boolean {
  switch (op) {
    case undefined:
      return a === b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function leaf(c: FacetColumns, node: Extract<QueryNode, { kind: 'match' | 'range' | 'exists' }>): Test | undefined {
  const field = facetField(node.field);
  if (field === undefined) return undefined;
  const value = node.kind === 'exists' ? undefined : node.value;
  const op = node.kind === 'range' ? node.op : undefined;
  switch (field.kind) {
    case 'text': {
      const codes = c.textCodes[field.name as TextFacet];
      if (value === undefined) return (s) => codes[s]! >= 0;
      const mask = codeMask(c.dictionaries[field.name].values, textPredicate(value, op));
      return (s) => mask[codes[s]!] === 1;
    }
    case 'remote': {
      const dictionary = c.dictionaries[field.name as RemoteFacet];
      const mask = value === undefined ? new Uint8Array(dictionary.values.length).fill(1) : codeMask(dictionary.values, textPredicate(value, op));
      return (s) => {
        const start = c.partyStart[s]!;
        const end = start + c.partyCount[s]! * 3;
        for (let at = start + field.offset; at < end; at += 3) {
          const code = c.parties[at]!;
          if (code >= 0 && mask[code] === 1) return true;
        }
        return false;
      };
    }
    case 'band': {
      if (value === undefined) return () => true;
      const band = value.wildcard ? undefined : parseBand(value.text);
      if (band === undefined) return undefined;
      const rank = bandRank(band);
      return (s) => compare(op, c.band[s]!, rank);
    }
    case 'flag': {
      if (value === undefined) return () => true;
      const lower = value.text.toLowerCase();
      if (op !== undefined || value.wildcard || (lower !== 'true' && lower !== 'false')) return undefined;
      const want = lower === 'true' ? 1 : 0;
      const flags = field.name === 'archived' ? c.archived : c.sample;
      return (s) => flags[s] === want;
    }
    case 'number': {
      if (field.name !== 'severity') return undefined;
      if (value === undefined) return () => true;
      const n = !value.wildcard && NUMBER.test(value.text) ? Number(value.text) : Number.NaN;
      if (!Number.isFinite(n)) return undefined;
      return (s) => compare(op, c.severity[s]!, n);
    }
  }
}

function compile(c: FacetColumns, node: QueryNode, depth: number): Test | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (node.kind) {
    case 'all':
      return () => true;
    case 'text':
      return undefined;
    case 'not': {
      const child = compile(c, node.child, depth + 1);
      return child && ((s) => !child(s));
    }
    case 'and':
    case 'or': {
      const children: Test[] = [];
      for (const n of node.children) {
        const t = compile(c, n, depth + 1);
        if (t === undefined) return undefined;
        children.push(t);
      }
      return node.kind === 'and' ? (s) => children.every((t) => t(s)) : (s) => children.some((t) => t(s));
    }
    default:
      return leaf(c, node);
  }
}

/**
 * Findings matching `query` with `updatedAt` in [from, to), counted up to `cap + 1`; undefined when a condition
 * needs SQL (free text, document paths, times, fields the facets do not hold, values SQL would refuse).
 */
export function facetCount(c: FacetColumns, query: QueryNode, from: number | undefined, to: number | undefined, cap: number): number | undefined {
  const test = compile(c, query, 0);
  if (test === undefined) return undefined;
  const lo = from ?? -Infinity;
  const hi = to ?? Infinity;
  let n = 0;
  for (let s = 0; s < c.limit && n <= cap; s++) {
    if (c.present[s] !== 1) continue;
    const t = c.updatedAt[s]!;
    if (t >= lo && t < hi && test(s)) n++;
  }
  return n;
}
