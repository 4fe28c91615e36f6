// IAM's globs in policies (`*` any run, `?` one character): parsed once per distinct text, matched without regexes
// by the query layer's glob matcher (the same one a compiled finding scope is evaluated with).
import { globMatcher, type Glob, type GlobToken } from '../../query/glob.js';

export type { Glob, GlobToken } from '../../query/glob.js';

/** Parsed patterns by text: a policy set holds few distinct patterns and every request reuses them. */
const parsed = new Map<string, Glob>();
const MAX_PARSED = 10_000;

/** Reads `text` as a glob; with `wildcards` false every character is literal. */
export function globOf(text: string, wildcards = true): Glob {
  if (!wildcards) return text === '' ? [] : [{ kind: 'text', text }];
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const tokens: GlobToken[] = [];
  let run = '';
  for (const ch of text) {
    if (ch === '*' || ch === '?') {
      if (run !== '') tokens.push({ kind: 'text', text: run });
      run = '';
      tokens.push(ch === '*' ? { kind: 'star' } : { kind: 'one' });
    } else run += ch;
  }
  if (run !== '') tokens.push({ kind: 'text', text: run });
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(text, tokens);
  return tokens;
}

/** The glob's text with wildcards written as `*` and `?`, for comparisons that take no wildcards. */
export function globText(glob: Glob): string {
  return glob.map((t) => (t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?')).join('');
}

/** Compiled matchers by glob (case-sensitive and not), kept as long as the glob itself is. */
const matchers = [new WeakMap<Glob, (value: string) => boolean>(), new WeakMap<Glob, (value: string) => boolean>()] as const;

/**
 * Whether `value` matches `glob` as a whole. Greedy two-pointer matching with one backtrack point: each `*`
 * supersedes the previous one, so the work stays O(pattern × value) whatever the pattern.
 */
export function matchGlob(glob: Glob, value: string, ignoreCase = false): boolean {
  const cache = matchers[ignoreCase ? 1 : 0];
  let matcher = cache.get(glob);
  if (matcher === undefined) cache.set(glob, (matcher = globMatcher(glob, ignoreCase)));
  return matcher(value);
}
