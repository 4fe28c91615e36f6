// Counts the findings a KQL query matches from the in-memory facets, for the queries whose every condition is on
// a field the facets hold; the conditions mean exactly what compile-query.ts makes of them in SQL.
import { bandRank, parseBand } from '../../findings/severity.js';
import type { QueryNode, QueryValue, RangeOperator } from '../../query/ast.js';
import type { FacetColumns, RemoteFacet, TextFacet } from '../facets/facet-columns.js';
import { facetField } from '../facets/facet-request.js';
import { compareText } from '../facets/sqlite-semantics.js';
import { queryNumber } from './compile-query.js';

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

/**
 * Which distinct values of a dictionary meet the condition (each value tested once), indexed by code + 1 as the
 * text columns hold them: NULL (code -1, held as 0) reads mask[0], which is 0 — no match, as a comparison with
 * NULL in SQL (and an in-bounds read, which V8 keeps fast).
 */
function codeMask(values: readonly string[], test: (text: string) => boolean): Uint8Array {
  const mask = new Uint8Array(values.length + 1);
  for (let code = 0; code < values.length; code++) mask[code + 1] = test(values[code]!) ? 1 : 0;
  return mask;
}

/** out[s] = (values[s] op v), one specialised loop per operator (a switch per slot costs more than the test). */
function compareInto(out: Uint8Array, values: Uint8Array | Float64Array, op: RangeOperator | undefined, v: number): Uint8Array {
  const n = out.length;
  switch (op) {
    case undefined:
      for (let s = 0; s < n; s++) out[s] = values[s] === v ? 1 : 0;
      break;
    case '<':
      for (let s = 0; s < n; s++) out[s] = values[s]! < v ? 1 : 0;
      break;
    case '<=':
      for (let s = 0; s < n; s++) out[s] = values[s]! <= v ? 1 : 0;
      break;
    case '>':
      for (let s = 0; s < n; s++) out[s] = values[s]! > v ? 1 : 0;
      break;
    case '>=':
      for (let s = 0; s < n; s++) out[s] = values[s]! >= v ? 1 : 0;
      break;
  }
  return out;
}

/** One byte per slot: 1 where the condition holds. Whole columns at a time, so each condition is one tight loop. */
type Matches = Uint8Array;

function leaf(c: FacetColumns, node: Extract<QueryNode, { kind: 'match' | 'range' | 'exists' }>): Matches | undefined {
  const field = facetField(node.field);
  if (field === undefined) return undefined;
  const value = node.kind === 'exists' ? undefined : node.value;
  const op = node.kind === 'range' ? node.op : undefined;
  const out = new Uint8Array(c.limit);
  switch (field.kind) {
    case 'text': {
      const codes = c.textCodes[field.name as TextFacet];
      if (value === undefined) {
        for (let s = 0; s < c.limit; s++) out[s] = codes[s]! > 0 ? 1 : 0;
        return out;
      }
      const mask = codeMask(c.dictionaries[field.name].values, textPredicate(value, op));
      for (let s = 0; s < c.limit; s++) out[s] = mask[codes[s]!]!;
      return out;
    }
    case 'remote': {
      const mask = codeMask(c.dictionaries[field.name as RemoteFacet].values, value === undefined ? () => true : textPredicate(value, op));
      for (let s = 0; s < c.limit; s++) {
        const start = c.partyStart[s]!;
        const end = start + c.partyCount[s]! * 3;
        for (let at = start + field.offset; at < end; at += 3) {
          if (mask[c.parties[at]! + 1] === 1) {
            out[s] = 1;
            break;
          }
        }
      }
      return out;
    }
    case 'band': {
      if (value === undefined) return out.fill(1);
      const band = value.wildcard ? undefined : parseBand(value.text);
      if (band === undefined) return undefined;
      // Bands are small integers: a table of the answer per band value is read without branching.
      const rank = bandRank(band);
      const table = compareInto(new Uint8Array(256), Uint8Array.from({ length: 256 }, (_, i) => i), op, rank);
      for (let s = 0; s < c.limit; s++) out[s] = table[c.band[s]!]!;
      return out;
    }
    case 'flag': {
      if (value === undefined) return out.fill(1);
      const lower = value.text.toLowerCase();
      if (op !== undefined || value.wildcard || (lower !== 'true' && lower !== 'false')) return undefined;
      const flags = field.name === 'archived' ? c.archived : c.sample;
      if (lower === 'true') out.set(flags.subarray(0, c.limit));
      else for (let s = 0; s < c.limit; s++) out[s] = 1 - flags[s]!;
      return out;
    }
    case 'number': {
      if (field.name !== 'severity') return undefined;
      if (value === undefined) return out.fill(1);
      const n = value.wildcard ? Number.NaN : queryNumber(value.text);
      if (!Number.isFinite(n)) return undefined;
      return compareInto(out, c.severity, op, n);
    }
  }
}

function evaluate(c: FacetColumns, node: QueryNode, depth: number): Matches | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (node.kind) {
    case 'all':
      return new Uint8Array(c.limit).fill(1);
    case 'text':
      return undefined;
    case 'not': {
      const child = evaluate(c, node.child, depth + 1);
      if (child === undefined) return undefined;
      for (let s = 0; s < child.length; s++) child[s] = 1 - child[s]!;
      return child;
    }
    case 'and':
    case 'or': {
      // Free text joins an and/or as one FTS5 query in SQL: any text child leaves the whole query to SQL.
      if (node.children.some((n) => n.kind === 'text')) return undefined;
      let acc: Matches | undefined;
      for (const n of node.children) {
        const m = evaluate(c, n, depth + 1);
        if (m === undefined) return undefined;
        if (acc === undefined) acc = m;
        else if (node.kind === 'and') for (let s = 0; s < acc.length; s++) acc[s] = acc[s]! & m[s]!;
        else for (let s = 0; s < acc.length; s++) acc[s] = acc[s]! | m[s]!;
      }
      return acc ?? new Uint8Array(c.limit).fill(node.kind === 'and' ? 1 : 0);
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
  const matches = evaluate(c, query, 0);
  if (matches === undefined) return undefined;
  const lo = from ?? -Infinity;
  const hi = to ?? Infinity;
  let n = 0;
  for (let s = 0; s < c.limit && n <= cap; s++) {
    if (matches[s] === 1 && c.present[s] === 1) {
      const t = c.updatedAt[s]!;
      if (t >= lo && t < hi) n++;
    }
  }
  return n;
}
