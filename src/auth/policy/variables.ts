// Policy variables (`${aws:username}`, `${key, 'default'}`, `${*}`, `${?}`, `${$}`): checked when a policy is
// validated, substituted when it is evaluated (2012-10-17 documents only, as in IAM).
import { lookup, type Context } from './context.js';
import type { PolicyVersion } from './document.js';
import { globOf, type Glob, type GlobToken } from './wildcard.js';

type Piece = { readonly literal: string } | { readonly key: string; readonly fallback?: string };

const VARIABLE = /^\s*([^\s,'{}$]+)\s*(?:,\s*'([^']*)'\s*)?$/;
const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

function pieces(text: string): Piece[] | string {
  const out: Piece[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${', from);
    if (start < 0) break;
    const end = text.indexOf('}', start + 2);
    const shown = JSON.stringify(text.slice(start, start + 40));
    if (end < 0) return `the policy variable ${shown} does not close with "}"`;
    if (start > from) out.push({ literal: text.slice(from, start) });
    const inner = text.slice(start + 2, end);
    const escape = ESCAPES[inner];
    if (escape !== undefined) out.push({ key: '', fallback: escape });
    else {
      const m = VARIABLE.exec(inner);
      if (!m) return `${shown} is not a policy variable (write \${key} or \${key, 'default'})`;
      out.push({ key: m[1]!, ...(m[2] !== undefined && { fallback: m[2] }) });
    }
    from = end + 1;
  }
  if (from < text.length) out.push({ literal: text.slice(from) });
  return out;
}

/** A problem with the variables in `text`, or undefined when they are well formed. */
export function checkVariables(text: string): string | undefined {
  const result = pieces(text);
  return typeof result === 'string' ? result : undefined;
}

/**
 * `text` as a glob with its variables replaced by the request's values, which are always literal (a user name
 * holding `*` cannot widen a pattern). Undefined when a variable has no value and no default: such a value
 * matches nothing. `wildcards` says whether the literal text's `*` and `?` are wildcards.
 */
export function resolveValue(text: string, version: PolicyVersion, context: Context, wildcards: boolean): Glob | undefined {
  if (version !== '2012-10-17' || !text.includes('${')) return globOf(text, wildcards);
  const parts = pieces(text);
  if (typeof parts === 'string') return undefined;
  const tokens: GlobToken[] = [];
  for (const piece of parts) {
    if ('literal' in piece) {
      tokens.push(...globOf(piece.literal, wildcards));
      continue;
    }
    const values = piece.key === '' ? undefined : lookup(context, piece.key);
    const value = values?.length === 1 ? values[0]! : piece.fallback;
    if (value === undefined) return undefined;
    if (value !== '') tokens.push({ kind: 'text', text: value });
  }
  return tokens;
}
