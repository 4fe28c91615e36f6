// The values a finding document holds under each of its paths, for the PostgreSQL store's path/value table: what
// a KQL condition on a document path reads, so that no query parses documents. Arrays are flattened on the way, as
// the embedded store's json_tree walk does and as Elasticsearch indexes them.
import { CATALOG_FIELDS } from '../../query/fields.js';
import { documentTime } from './document-time.js';

/** How a value is held: an object (it only exists), text, a number, or a JSON boolean. */
export const VALUE_KIND = { object: 0, text: 1, number: 2, false: 3, true: 4 } as const;

/**
 * Text longer than this, in UTF-8 bytes, is kept out of the text index (whose entries must fit in a third of a
 * page) and in a column of its own, read for the few conditions that reach it.
 */
const MAX_INDEXED_TEXT_BYTES = 2000;
/** Paths longer than this are not kept: no query names them (an index entry must hold the path). */
export const MAX_PATH_CHARS = 600;

/** One value under one path, in the columns of `finding_values`. */
export interface DocumentValue {
  readonly path: string;
  readonly kind: number;
  readonly text?: string;
  readonly longText?: string;
  readonly number?: number;
  /** Epoch ms the text reads as (document-time.ts). */
  readonly time?: number;
}

/** A KQL field name's segment: only paths made of these can be queried. */
const SEGMENT = /^[\p{L}\p{N}_@-]+$/u;
/** Names the query catalogue resolves to columns: a query never reads them from the document. */
const CATALOGUE = new Set(CATALOG_FIELDS);

/** Text PostgreSQL can hold: NUL, which text refuses, as the replacement character (lone surrogates become it on the wire). */
export function storableText(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

/**
 * Every value under every path a KQL field can name: objects (as existing), strings, numbers and booleans; nulls
 * and arrays themselves are no values, their elements are. Each value appears once per path. Paths through keys
 * a field name cannot spell are left out, as are catalogue fields.
 */
export function documentValues(doc: Readonly<Record<string, unknown>>): DocumentValue[] {
  const out: DocumentValue[] = [];
  const seen = new Set<string>();
  // Without recursion: nesting depth is the document's to choose (bounded by document-shape.ts).
  const stack: Array<[path: string, value: unknown]> = [];
  const pushMembers = (path: string, object: object): void => {
    for (const [key, value] of Object.entries(object)) {
      const child = path === '' ? key : `${path}.${key}`;
      if (SEGMENT.test(key) && child.length <= MAX_PATH_CHARS) stack.push([child, value]);
    }
  };
  pushMembers('', doc);
  while (stack.length > 0) {
    const [path, value] = stack.pop()!;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([path, value[i]]);
      continue;
    }
    const catalogue = CATALOGUE.has(path);
    if (typeof value === 'object') {
      if (!catalogue) add(out, seen, path, { path, kind: VALUE_KIND.object });
      pushMembers(path, value);
    } else if (!catalogue) {
      const v = atom(path, value);
      if (v !== undefined) add(out, seen, path, v);
    }
  }
  return out;
}

function add(out: DocumentValue[], seen: Set<string>, path: string, value: DocumentValue): void {
  const key = `${value.kind}\u0000${value.text ?? value.longText ?? value.number ?? ''}\u0000${path}`;
  if (seen.has(key)) return;
  seen.add(key);
  out.push(value);
}

function atom(path: string, value: unknown): DocumentValue | undefined {
  if (typeof value === 'boolean') return { path, kind: value ? VALUE_KIND.true : VALUE_KIND.false };
  if (typeof value === 'number') return Number.isFinite(value) ? { path, kind: VALUE_KIND.number, number: value } : undefined;
  if (typeof value !== 'string') return undefined;
  const text = storableText(value);
  const time = documentTime(value);
  const long = text.length * 3 > MAX_INDEXED_TEXT_BYTES && Buffer.byteLength(text, 'utf8') > MAX_INDEXED_TEXT_BYTES;
  return { path, kind: VALUE_KIND.text, ...(long ? { longText: text } : { text }), ...(time !== undefined && { time }) };
}
