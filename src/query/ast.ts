// The KQL abstract syntax tree: what the parser produces and every store compiles.

/** A value as the user typed it. `wildcard` is true when `text` contains an unescaped `*`. */
export interface QueryValue {
  /** The value with quotes removed and escapes resolved; `*` kept where it is a wildcard. */
  readonly text: string;
  readonly quoted: boolean;
  readonly wildcard: boolean;
}

export type RangeOperator = '<' | '<=' | '>' | '>=';

export type QueryNode =
  /** The empty query: matches everything. */
  | { readonly kind: 'all' }
  | { readonly kind: 'and'; readonly children: readonly QueryNode[] }
  | { readonly kind: 'or'; readonly children: readonly QueryNode[] }
  | { readonly kind: 'not'; readonly child: QueryNode }
  /** `field:value`; `field:(a or b)` is desugared into an `or` of these. */
  | { readonly kind: 'match'; readonly field: string; readonly value: QueryValue }
  /** `field >= value` */
  | { readonly kind: 'range'; readonly field: string; readonly op: RangeOperator; readonly value: QueryValue }
  /** `field:*` */
  | { readonly kind: 'exists'; readonly field: string }
  /** A bare word or phrase, searched as free text. */
  | { readonly kind: 'text'; readonly value: QueryValue };
