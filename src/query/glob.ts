// Globs as IAM writes them (`*` any run of characters, `?` exactly one), which a caller's scope may carry into a
// query; matched per code point, in time linear in practice, without regular expressions.

export type GlobToken = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'star' } | { readonly kind: 'one' };
export type Glob = readonly GlobToken[];

const STAR = Symbol('star');
const ONE = Symbol('one');
type Item = string | typeof STAR | typeof ONE;

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
  return globMatcher(glob, ignoreCase)(value);
}

/** A matcher for one glob, for testing many values against it. */
export function globMatcher(glob: Glob, ignoreCase = false): (value: string) => boolean {
  const pattern = items(glob, ignoreCase);
  return (value) => {
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
  };
}
