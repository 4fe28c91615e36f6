// Coded errors of the PostgreSQL store; messages name the server by host and database, never by credentials.

export type PostgresStoreErrorCode =
  /** The configuration cannot work (bad URL, TLS files missing or contradictory). */
  | 'STORE_CONFIG_INVALID'
  /** The server cannot be reached or refused the connection; the request may be retried. */
  | 'STORE_UNAVAILABLE'
  /** The database's schema is newer than this Yagura, or a migration failed. */
  | 'STORE_SCHEMA_MISMATCH'
  | 'STORE_MIGRATION_FAILED'
  /** A query this backend cannot answer yet. */
  | 'STORE_UNSUPPORTED_QUERY';

export class PostgresStoreError extends Error {
  constructor(
    readonly code: PostgresStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PostgresStoreError';
  }
}
