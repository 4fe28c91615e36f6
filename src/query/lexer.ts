// Splits KQL text into tokens; the parser decides what the tokens mean in context.
import type { RangeOperator } from './ast.js';
import { QueryError } from './query-error.js';

export type Keyword = 'and' | 'or' | 'not';

export type TokenKind = 'word' | 'quoted' | 'lparen' | 'rparen' | 'colon' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Offset of the first character in the query. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** The source text of the token. */
  readonly raw: string;
  /** The text with quotes removed and escapes resolved. */
  readonly text: string;
  /** Unescaped `*` characters in a word. */
  readonly wildcards: number;
  /** True when a word contains an escaped `\*`, a literal star. */
  readonly literalStar: boolean;
  /** `and`, `or` or `not` typed bare (no quotes, no escapes), in any case. */
  readonly keyword: Keyword | undefined;
  /** For `op` tokens. */
  readonly op: RangeOperator | undefined;
}

/** Characters that end an unquoted word unless escaped. */
const WORD_BREAKS = new Set(['(', ')', '"', ':', '<', '>']);
const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['and', 'or', 'not']);
const WHITESPACE = /\s/;

function token(kind: TokenKind, start: number, end: number, raw: string, extra: Partial<Token> = {}): Token {
  return { kind, start, end, raw, text: raw, wildcards: 0, literalStar: false, keyword: undefined, op: undefined, ...extra };
}

/** Tokenizes a whole query. Throws QueryError for an unterminated quoted string or a dangling backslash. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (WHITESPACE.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ':') {
      tokens.push(token(ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'colon', i, i + 1, ch));
      i++;
    } else if (ch === '<' || ch === '>') {
      const op = (query[i + 1] === '=' ? `${ch}=` : ch) as RangeOperator;
      tokens.push(token('op', i, i + op.length, op, { op }));
      i += op.length;
    } else if (ch === '"') {
      const t = quoted(query, i);
      tokens.push(t);
      i = t.end;
    } else {
      const t = word(query, i);
      tokens.push(t);
      i = t.end;
    }
  }
  tokens.push(token('eof', query.length, query.length, ''));
  return tokens;
}

/** A `"..."` string: backslash escapes the next character, whatever it is. */
function quoted(query: string, start: number): Token {
  let text = '';
  let i = start + 1;
  while (i < query.length) {
    const ch = query[i]!;
    if (ch === '"') {
      return token('quoted', start, i + 1, query.slice(start, i + 1), { text });
    }
    if (ch === '\\') {
      if (i + 1 >= query.length) break;
      text += query[i + 1];
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  throw new QueryError(`unterminated quoted string starting at position ${start}`, { position: start });
}

/** An unquoted run of characters up to whitespace or a special character; `\` makes the next one literal. */
function word(query: string, start: number): Token {
  let text = '';
  let wildcards = 0;
  let literalStar = false;
  let escaped = false;
  let i = start;
  while (i < query.length) {
    const ch = query[i]!;
    if (WHITESPACE.test(ch) || WORD_BREAKS.has(ch)) break;
    if (ch === '\\') {
      const next = query[i + 1];
      if (next === undefined) {
        throw new QueryError(`unfinished escape at position ${i}: "\\" must be followed by a character`, { position: i });
      }
      escaped = true;
      if (next === '*') literalStar = true;
      text += next;
      i += 2;
    } else {
      if (ch === '*') wildcards++;
      text += ch;
      i++;
    }
  }
  const lower = text.toLowerCase();
  const keyword = !escaped && KEYWORDS.has(lower) ? (lower as Keyword) : undefined;
  return token('word', start, i, query.slice(start, i), { text, wildcards, literalStar, keyword });
}
