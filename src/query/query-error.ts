// The query domain's coded errors: a bad KQL query, a bad time, or a time range that ends before it starts.

/** What went wrong, for clients to switch on. */
export type QueryErrorCode = 'INVALID_QUERY' | 'INVALID_TIME' | 'INVALID_TIME_RANGE';

/**
 * A query or time range the user has to fix. `message` is a sentence for a person; `position` is the
 * 0-based offset into the query text when the error is tied to one place in it.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly code: QueryErrorCode;
  readonly position: number | undefined;

  constructor(message: string, options: { readonly code?: QueryErrorCode; readonly position?: number } = {}) {
    super(message);
    this.code = options.code ?? 'INVALID_QUERY';
    this.position = options.position;
  }
}
