// A request context normalised for lookups: condition key names compare case-insensitively, values as text.
import type { RequestContext } from './document.js';

export type Context = ReadonlyMap<string, readonly string[]>;

export function contextOf(input: RequestContext): Context {
  const map = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(input)) {
    const values = Array.isArray(value) ? value : [value];
    map.set(key.toLowerCase(), values.map((v) => String(v)));
  }
  return map;
}

/** The values of `key`, or undefined when the request does not carry it. */
export function lookup(context: Context, key: string): readonly string[] | undefined {
  return context.get(key.toLowerCase());
}
