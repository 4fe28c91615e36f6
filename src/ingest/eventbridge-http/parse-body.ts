// Splits a delivered body into items: one event, a JSON array of them, or NDJSON lines.
import { parseJsonLine, type BodyItem } from '../json-lines.js';


export type ParsedBody =
  | { readonly ok: true; readonly items: readonly BodyItem[] }
  | { readonly ok: false; readonly code: 'EMPTY_BODY' | 'TOO_MANY_ITEMS'; readonly message: string };

/** A parsed JSON body is one item, or an array of items. */
export function itemsFromJson(value: unknown, maxItems: number): ParsedBody {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return { ok: false, code: 'EMPTY_BODY', message: 'the JSON array is empty; send at least one event' };
  if (items.length > maxItems) return { ok: false, code: 'TOO_MANY_ITEMS', message: `a request may carry at most ${maxItems} items` };
  return { ok: true, items: items.map((v) => ({ value: v as unknown })) };
}

/** One item per non-blank line; a malformed line (bad JSON or bad UTF-8) rejects only that line. */
export function itemsFromNdjson(bytes: Buffer, maxItems: number): ParsedBody {
  const items: BodyItem[] = [];
  let start = 0;
  let n = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    n++;
    const line = bytes.subarray(start, end);
    start = end + 1;
    if (line.toString('latin1').trim() === '') continue;
    if (items.length >= maxItems) return { ok: false, code: 'TOO_MANY_ITEMS', message: `a request may carry at most ${maxItems} items` };
    items.push(parseJsonLine(line, n));
  }
  if (items.length === 0) return { ok: false, code: 'EMPTY_BODY', message: 'the request body has no NDJSON lines' };
  return { ok: true, items };
}
