// Free text as the embedded store's full-text index reads it (SQLite FTS5 unicode61: accents folded, ß kept, a run
// of letters of any script one word), and as the PostgreSQL store keeps it: a tsvector of those words and their
// positions, searched with a tsquery of phrases, so that PostgreSQL's own parser never splits or stems a word.
import type { FreeTextPhrase } from '../../query/free-text.js';
import { DROPPED_RANGES, FOLD_RUNS, WORD_FLIPS } from './word-table.js';

/**
 * Longest word kept, in code points: a tsvector lexeme holds at most 2 KB. A longer word is cut here on both sides
 * (stored and searched), so it is still found by its start.
 */
const MAX_WORD = 255;

/** Index of the last entry of `starts` (every `step`-th number) at or before `cp`; -1 before the first. */
function lastAtOrBefore(table: readonly number[], step: number, cp: number): number {
  let lo = 0;
  let hi = table.length / step - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table[mid * step]! <= cp) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function inWord(cp: number): boolean {
  // Runs alternate from a separator run at U+0000: an odd number of flips at or before cp means a word run.
  return lastAtOrBefore(WORD_FLIPS, 1, cp) % 2 === 0;
}

/** The code point a word character becomes in the word: itself, another, or 0 (dropped). */
function fold(cp: number): number {
  const d = lastAtOrBefore(DROPPED_RANGES, 2, cp);
  if (d >= 0 && cp <= DROPPED_RANGES[d * 2 + 1]!) return 0;
  const f = lastAtOrBefore(FOLD_RUNS, 4, cp);
  if (f < 0) return cp;
  const [first, count, stride, offset] = FOLD_RUNS.slice(f * 4, f * 4 + 4) as [number, number, number, number];
  const step = cp - first;
  return step % stride === 0 && step / stride < count ? cp + offset : cp;
}

/**
 * The words of a text, in order, as the embedded store's full-text index finds them: runs of word characters,
 * each folded (lower case, Latin diacritics removed). A lone surrogate separates words, as the replacement
 * character it becomes in UTF-8 does.
 */
export function textWords(text: string): string[] {
  const words: string[] = [];
  let word: string[] = [];
  let open = false;
  const close = (): void => {
    if (word.length > 0) words.push(word.slice(0, MAX_WORD).join(''));
    word = [];
    open = false;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    // Lower-case ASCII letters and digits, most of any finding's text, are words as they are.
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39)) {
      word.push(ch);
      open = true;
      continue;
    }
    if ((cp >= 0xd800 && cp <= 0xdfff) || !inWord(cp)) {
      if (open) close();
      continue;
    }
    open = true;
    const folded = fold(cp);
    if (folded !== 0) word.push(String.fromCodePoint(folded));
  }
  if (open) close();
  return words;
}

/** A lexeme or operand in tsvector/tsquery syntax: quoted, with quotes and backslashes doubled. */
function quoted(word: string): string {
  return `'${word.replace(/['\\]/g, (c) => c + c)}'`;
}

/**
 * The tsvector text of a finding's free text: each word with the positions it is at (1-based), so that phrases
 * match consecutive words. Positions past PostgreSQL's limit (16,383) stop at it; a finding's text is shorter.
 */
export function tsvectorText(text: string): string {
  const positions = new Map<string, number[]>();
  textWords(text).forEach((word, i) => {
    const at = positions.get(word);
    if (at === undefined) positions.set(word, [i + 1]);
    else at.push(i + 1);
  });
  return [...positions].map(([word, at]) => `${quoted(word)}:${at.slice(0, 256).join(',')}`).join(' ');
}

/**
 * A free-text phrase as a tsquery operand: its words, split as stored text is, one after the other, the last
 * one a prefix when the phrase asks for it. Undefined when no word is left (the embedded store's index then
 * matches nothing for the phrase).
 */
export function phraseQuery(phrase: FreeTextPhrase): string | undefined {
  const words = textWords(phrase.words.join(' '));
  if (words.length === 0) return undefined;
  return words.map((w, i) => `${quoted(w)}${phrase.prefix && i === words.length - 1 ? ':*' : ''}`).join(' <-> ');
}
