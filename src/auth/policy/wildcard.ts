// Glob matching with IAM's two wildcards (`*` any run, `?` one character), linear in practice and free of regexes.

export type GlobToken = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'star' } | { readonly kind: 'one' };
export type Glob = readonly GlobToken[];

const STAR = Symbol('star');
const ONE = Symbol('one');
type Item = string | typeof STAR | typeof ONE;

/** Reads `text` as a glob; with `wildcards` false every character is literal. */
export function globOf(text: string, wildcards = true): Glob {
  if (!wildcards) return text === '' ? [] : [{ kind: 'text', text }];
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
  return tokens;
}

/** The glob's text with wildcards written as `*` and `?`, for comparisons that take no wildcards. */
export function globText(glob: Glob): string {
  return glob.map((t) => (t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?')).join('');
}

function items(glob: Glob, ignoreCase: boolean): Item[] {
  const out: Item[] = [];
  for (const t of glob) {
    if (t.kind === 'star') {
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else if (t.kind === 'one') out.push(ONE);
    else for (const ch of ignoreCase ? t.text.toLowerCase() : t.text) out.push(ch);
  }
  return out;
}

/**
 * Whether `value` matches `glob` as a whole. Greedy two-pointer matching with one backtrack point: each `*`
 * supersedes the previous one, so the work stays O(pattern × value) whatever the pattern.
 */
export function matchGlob(glob: Glob, value: string, ignoreCase = false): boolean {
  const pattern = items(glob, ignoreCase);
  const chars = Array.from(ignoreCase ? value.toLowerCase() : value);
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < chars.length) {
    const item = pattern[p];
    if (p < pattern.length && (item === ONE || item === chars[v])) {
      p++;
      v++;
    } else if (item === STAR) {
      starP = p++;
      starV = v;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else return false;
  }
  while (pattern[p] === STAR) p++;
  return p === pattern.length;
}
