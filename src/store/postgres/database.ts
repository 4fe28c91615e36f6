// The pool as the server-state stores see it: statements and transactions, with connection failures as coded errors.
import type { Pool, PoolClient } from 'pg';
import { inTransaction, storeError } from './pool.js';

/** Where a statement runs: the pool (a statement of its own) or a transaction's connection. */
export interface Sql {
  rows<R extends object>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Runs a statement; resolves to how many rows it changed. */
  run(text: string, values?: readonly unknown[]): Promise<number>;
}

function on(client: Pool | PoolClient, url: string | undefined): Sql {
  return {
    async rows<R extends object>(text: string, values: readonly unknown[] = []): Promise<R[]> {
      try {
        return (await client.query(text, values as unknown[])).rows as R[];
      } catch (error) {
        throw storeError(error, url);
      }
    },
    async run(text: string, values: readonly unknown[] = []): Promise<number> {
      try {
        return (await client.query(text, values as unknown[])).rowCount ?? 0;
      } catch (error) {
        throw storeError(error, url);
      }
    },
  };
}

export class PgDatabase implements Sql {
  private readonly direct: Sql;

  constructor(
    readonly pool: Pool,
    /** The store's URL, to name the server (never its credentials) when it is unavailable. */
    readonly url: string | undefined,
  ) {
    this.direct = on(pool, url);
  }

  rows<R extends object>(text: string, values?: readonly unknown[]): Promise<R[]> {
    return this.direct.rows<R>(text, values);
  }

  run(text: string, values?: readonly unknown[]): Promise<number> {
    return this.direct.run(text, values);
  }

  /** Runs `work` in one transaction (READ COMMITTED); any throw rolls it back. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.url, (client) => work(on(client, this.url)));
  }
}

/** Whether a statement failed on a unique constraint (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

/** Whether a statement failed on a foreign key (SQLSTATE 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23503';
}
