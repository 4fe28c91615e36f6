// Splits a free-text value into the words a full-text index sees: runs of Unicode letters and digits, lower-cased.
import type { QueryValue } from './ast.js';

/** Consecutive words that must appear in order; with `prefix`, the last word may be the start of a longer one. */
export interface FreeTextPhrase {
  readonly words: readonly string[];
  readonly prefix: boolean;
}

const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
const ENDS_IN_WORD = /[\p{L}\p{N}\p{Co}]$/u;

/**
 * The phrases a free-text value asks for, all of which must match. Punctuation separates words, so
 * `198.51.100.7` is the phrase `198 51 100 7`. A wildcard right after a word makes that word a prefix
 * (`recon*`); any other wildcard only separates phrases. A value without words yields no phrases.
 */
export function freeTextPhrases(value: QueryValue): FreeTextPhrase[] {
  const chunks = value.wildcard ? value.text.split('*') : [value.text];
  return chunks.flatMap((chunk, i) => {
    const words = chunk.toLowerCase().match(WORD);
    if (words === null) return [];
    return [{ words, prefix: i < chunks.length - 1 && ENDS_IN_WORD.test(chunk) }];
  });
}
