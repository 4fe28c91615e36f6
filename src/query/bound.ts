// The bound query: the parse tree with every field resolved against the catalogue and every value parsed once
// into what its field compares (a number, a band's rank, a time span, a wildcard pattern). Stores only evaluate it.
import type { RangeOperator } from './ast.js';
import type { QueryField } from './fields.js';
import type { FreeTextPhrase } from './free-text.js';
import type { Glob } from './glob.js';
import type { TimeInterval } from './time-range.js';

export type { Glob } from './glob.js';

/** `=` for `field:value`, or a range operator. */
export type CompareOp = '=' | RangeOperator;

export type ColumnField = Extract<QueryField, { kind: 'column' }>;
export type RemoteField = Extract<QueryField, { kind: 'remote' }>;
export type DocumentField = Extract<QueryField, { kind: 'document' }>;

/** How a text value is tested: exactly (case-sensitive), as a `*` wildcard pattern, or compared by code point. */
export type TextTest =
  | { readonly kind: 'equals'; readonly text: string }
  /** IAM's `StringLike`: `*` is any run and `?` one character (a code point), case-sensitively; nothing escapes. */
  | { readonly kind: 'glob'; readonly glob: Glob }
  /** IAM's `StringEqualsIgnoreCase`: the value, lower-cased as JavaScript does, is one of `lowered`. */
  | { readonly kind: 'equals-ignore-case'; readonly lowered: readonly string[] }
  | { readonly kind: 'wildcard'; readonly pattern: string }
  | { readonly kind: 'compare'; readonly op: RangeOperator; readonly text: string };

/**
 * A condition on the values under a document path. An exact value that reads as a number also matches that
 * number, and `true`/`false` also match JSON booleans; a range compares numbers, times or text, in that order.
 */
export type DocumentTest =
  | { readonly kind: 'wildcard'; readonly pattern: string }
  | { readonly kind: 'equals'; readonly text: string; readonly number?: number; readonly boolean?: 'true' | 'false' }
  | { readonly kind: 'number'; readonly op: RangeOperator; readonly value: number }
  | { readonly kind: 'time'; readonly op: RangeOperator; readonly span: TimeInterval }
  | { readonly kind: 'compare'; readonly op: RangeOperator; readonly text: string };

export type BoundNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly children: readonly BoundNode[] }
  | { readonly kind: 'or'; readonly children: readonly BoundNode[] }
  | { readonly kind: 'not'; readonly child: BoundNode }
  /** Words over the full-text fields; no phrases matches everything. */
  | { readonly kind: 'free-text'; readonly phrases: readonly FreeTextPhrase[] }
  /** The field holds a value (for a path: a non-null, non-array atom). */
  | { readonly kind: 'exists'; readonly field: QueryField }
  | { readonly kind: 'text'; readonly field: ColumnField | RemoteField; readonly test: TextTest }
  /** One of a list of exact values (a scope's accounts, regions…); an empty list matches nothing. */
  | { readonly kind: 'in'; readonly field: ColumnField | RemoteField; readonly values: readonly string[] }
  | { readonly kind: 'number'; readonly field: ColumnField; readonly op: CompareOp; readonly value: number }
  | { readonly kind: 'band'; readonly field: ColumnField; readonly op: CompareOp; readonly rank: number }
  /** A span of time: `=` matches inside it, `<=` and `>` go past its end (a date-only value is a whole day). */
  | { readonly kind: 'time'; readonly field: ColumnField; readonly op: CompareOp; readonly span: TimeInterval }
  | { readonly kind: 'boolean'; readonly field: ColumnField; readonly value: boolean }
  | { readonly kind: 'document'; readonly field: DocumentField; readonly test: DocumentTest };

/**
 * A query ready to run: what requests carry once bound (plain data, so it crosses to reader threads). Its
 * relative times were resolved when it was bound.
 */
export interface BoundQuery {
  readonly kind: 'bound';
  readonly root: BoundNode;
}
