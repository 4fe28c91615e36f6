// Splits a delivered body into items: one event, a JSON array of them, or NDJSON lines.
import { rejection, type FindingRejection } from '../../findings/finding-error.js';

export type BodyItem = { readonly value: unknown } | { readonly error: FindingRejection };

export type ParsedBody =
  | { readonly ok: true; readonly items: readonly BodyItem[] }
  | { readonly ok: false; readonly code: 'EMPTY_BODY' | 'TOO_MANY_ITEMS'; readonly message: string };

/** Parses one JSON text; `line` names the line in the error for NDJSON. */
export function parseJsonItem(text: string, line?: number): BodyItem {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const where = line === undefined ? '' : ` on line ${line}`;
    return { error: rejection('INVALID_JSON', `malformed JSON${where}: ${(error as Error).message}`) };
  }
}

/** A parsed JSON body is one item, or an array of items. */
export function itemsFromJson(value: unknown, maxItems: number): ParsedBody {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return { ok: false, code: 'EMPTY_BODY', message: 'the JSON array is empty; send at least one event' };
  if (items.length > maxItems) return { ok: false, code: 'TOO_MANY_ITEMS', message: `a request may carry at most ${maxItems} items` };
  return { ok: true, items: items.map((v) => ({ value: v as unknown })) };
}

/** One item per non-blank line; a malformed line rejects only that line. */
export function itemsFromNdjson(text: string, maxItems: number): ParsedBody {
  const items: BodyItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (items.length >= maxItems) return { ok: false, code: 'TOO_MANY_ITEMS', message: `a request may carry at most ${maxItems} items` };
    items.push(parseJsonItem(line, i + 1));
  }
  if (items.length === 0) return { ok: false, code: 'EMPTY_BODY', message: 'the request body has no NDJSON lines' };
  return { ok: true, items };
}
