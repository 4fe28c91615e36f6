// Parses KQL as Kibana users type it into the query AST; see docs/query-language.md for the grammar.
import type { QueryNode, QueryValue, RangeOperator } from './ast.js';
import { isFieldName } from './field-name.js';
import { tokenize, type Token } from './lexer.js';
import { QueryError } from './query-error.js';

/** Longer queries are rejected before any work is done on them. */
export const MAX_QUERY_LENGTH = 10_000;
/** Deepest parenthesis nesting accepted; bounds the parser's recursion. */
export const MAX_NESTING = 64;
/** Most `*` wildcards one value may hold; keeps pattern matching cheap. */
export const MAX_WILDCARDS = 16;

const ALL: QueryNode = { kind: 'all' };

/**
 * Parses a KQL query. An empty or blank query matches everything (`{ kind: 'all' }`).
 * Adjacent terms without an operator are combined with AND (`a b` means `a and b`).
 * Throws QueryError (code INVALID_QUERY) whose `position` is the offset of the problem.
 */
export function parseQuery(text: string): QueryNode {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      `query too long at position ${MAX_QUERY_LENGTH}: it has ${text.length} characters and at most ${MAX_QUERY_LENGTH} are allowed`,
      { position: MAX_QUERY_LENGTH },
    );
  }
  if (text.trim() === '') return ALL;
  return new Parser(tokenize(text)).parse();
}

/**
 * Recursive descent over the token list. Recursion happens only at `(`, which is bounded by MAX_NESTING;
 * runs of `not` are counted in a loop. `field` is set inside a value list `field:( ... )`, where the
 * operands are values of that field instead of whole terms.
 */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): QueryNode {
    const node = this.or(undefined);
    const rest = this.peek();
    if (rest.kind !== 'eof') throw unexpected(rest, 'it closes no "("');
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  private or(field: string | undefined): QueryNode {
    const children = [this.and(field)];
    while (this.peek().keyword === 'or') {
      this.next();
      children.push(this.and(field));
    }
    return combine('or', children);
  }

  /** Explicit `and`, or two operands side by side: both mean AND. */
  private and(field: string | undefined): QueryNode {
    const children = [this.not(field)];
    for (;;) {
      const t = this.peek();
      if (t.keyword === 'and') {
        this.next();
      } else if (!startsOperand(t)) {
        break;
      }
      children.push(this.not(field));
    }
    return combine('and', children);
  }

  private not(field: string | undefined): QueryNode {
    let negations = 0;
    while (this.peek().keyword === 'not') {
      this.next();
      negations++;
    }
    const node = this.primary(field);
    return negations % 2 === 0 ? node : negate(node);
  }

  private primary(field: string | undefined): QueryNode {
    const open = this.peek();
    if (open.kind !== 'lparen') return field === undefined ? this.term() : this.value(field);
    if (++this.depth > MAX_NESTING) {
      throw new QueryError(`too many nested parentheses at position ${open.start}: at most ${MAX_NESTING} levels are allowed`, {
        position: open.start,
      });
    }
    this.next();
    const inner = this.or(field);
    const close = this.peek();
    if (close.kind !== 'rparen') {
      throw new QueryError(`expected ")" at position ${close.start} to close "(" at position ${open.start}`, { position: close.start });
    }
    this.next();
    this.depth--;
    return inner;
  }

  /** `field:value`, `field:(list)`, `field >= value`, or free text. */
  private term(): QueryNode {
    const t = this.peek();
    const after = this.peek(1);
    if (t.kind === 'word' && t.keyword === undefined) {
      if (after.kind === 'colon' || after.kind === 'op') {
        const field = fieldName(t);
        this.next();
        this.next();
        if (after.op !== undefined) return this.range(field, after.op);
        return this.peek().kind === 'lparen' ? this.primary(field) : this.value(field);
      }
      this.next();
      return { kind: 'text', value: wordValue([t]) };
    }
    if (t.kind === 'quoted') {
      if (after.kind === 'colon') throw unexpected(after, 'a field name cannot be quoted');
      this.next();
      return { kind: 'text', value: quotedValue(t) };
    }
    throw unexpected(t, t.kind === 'colon' || t.kind === 'op' ? `expected a field name before "${t.raw}"` : 'expected a term');
  }

  /** One value of `field`: a quoted string, `*` (the field exists), or an unquoted value. */
  private value(field: string): QueryNode {
    const t = this.peek();
    if (t.kind === 'quoted') {
      this.next();
      return { kind: 'match', field, value: quotedValue(t) };
    }
    const value = wordValue(this.unquoted());
    if (value.wildcard && value.text === '*') return { kind: 'exists', field };
    return { kind: 'match', field, value };
  }

  private range(field: string, op: RangeOperator): QueryNode {
    const t = this.peek();
    if (t.kind === 'quoted') {
      this.next();
      return { kind: 'range', field, op, value: quotedValue(t) };
    }
    const value = wordValue(this.unquoted());
    if (value.wildcard) {
      throw new QueryError(`wildcard in a range at position ${t.start}: "${op}" needs a single value`, { position: t.start });
    }
    return { kind: 'range', field, op, value };
  }

  /**
   * The tokens of one unquoted value. After `field:` a value runs to whitespace or a parenthesis, so
   * `type:Recon:EC2/PortProbeUnprotectedPort` is one value: touching words, colons and `<`/`>` are glued.
   */
  private unquoted(): Token[] {
    const first = this.peek();
    if (!isValuePiece(first) || (first.keyword !== undefined && !isValuePiece(this.peek(1), first))) {
      throw unexpected(first, 'expected a value');
    }
    const pieces = [this.next()];
    while (isValuePiece(this.peek(), pieces[pieces.length - 1])) pieces.push(this.next());
    return pieces;
  }
}

function startsOperand(t: Token): boolean {
  if (t.kind === 'word') return t.keyword === undefined || t.keyword === 'not';
  return t.kind === 'quoted' || t.kind === 'lparen' || t.kind === 'colon' || t.kind === 'op';
}

/** A token that can be part of an unquoted value; with `previous`, only when it touches it. */
function isValuePiece(t: Token, previous?: Token): boolean {
  if (t.kind !== 'word' && t.kind !== 'colon' && t.kind !== 'op') return false;
  return previous === undefined || previous.end === t.start;
}

function wordValue(pieces: readonly Token[]): QueryValue {
  const start = pieces[0]!.start;
  const text = pieces.map((p) => p.text).join('');
  const wildcards = pieces.reduce((n, p) => n + p.wildcards, 0);
  if (wildcards > MAX_WILDCARDS) {
    throw new QueryError(`too many wildcards in the value at position ${start}: at most ${MAX_WILDCARDS} "*" are allowed`, {
      position: start,
    });
  }
  if (wildcards > 0 && pieces.some((p) => p.literalStar)) {
    throw new QueryError(`mixed wildcards in the value at position ${start}: a value with "*" wildcards cannot also contain "\\*"`, {
      position: start,
    });
  }
  return { text, quoted: false, wildcard: wildcards > 0 };
}

function quotedValue(t: Token): QueryValue {
  return { text: t.text, quoted: true, wildcard: false };
}

function fieldName(t: Token): string {
  if (t.wildcards > 0) {
    throw new QueryError(`wildcard in the field name at position ${t.start}: field names must be spelled out`, { position: t.start });
  }
  if (!isFieldName(t.text)) {
    throw new QueryError(
      `invalid field name ${describe(t)} at position ${t.start}: use letters, digits, "_", "-", "@" and "." between names`,
      { position: t.start },
    );
  }
  return t.text;
}

function combine(kind: 'and' | 'or', children: readonly QueryNode[]): QueryNode {
  if (children.length === 1) return children[0]!;
  return { kind, children: children.flatMap((c) => (c.kind === kind ? c.children : [c])) };
}

function negate(node: QueryNode): QueryNode {
  return node.kind === 'not' ? node.child : { kind: 'not', child: node };
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of query';
  const raw = t.raw.length > 40 ? `${t.raw.slice(0, 40)}…` : t.raw;
  return t.kind === 'quoted' ? raw : `"${raw}"`;
}

function unexpected(t: Token, expected: string): QueryError {
  return new QueryError(`unexpected ${describe(t)} at position ${t.start}: ${expected}`, { position: t.start });
}
