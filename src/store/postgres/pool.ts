// Opening the pool and running work on it: transactions, int8 read as numbers, connection failures as coded errors.
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { describeTarget } from './postgres-config.js';
import { PostgresStoreError } from './postgres-errors.js';

const INT8_OID = 20;

/**
 * The store's values in int8 columns (epoch ms, counts, row ids) stay below 2^53: read as numbers, not the
 * driver's default strings. Set per pool, not on the driver's global parser table.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string): number => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * SQLSTATE classes and socket errors that mean the server is unreachable or going away, or the database is not
 * there (3D000: dropped or not yet restored): worth a retry, the request never reached a usable store.
 */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
  return code.startsWith('08') || code === '3D000' || code === '57P01' || code === '57P02' || code === '57P03' || ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code);
}

/** Wraps a connection failure as STORE_UNAVAILABLE naming the server (never its credentials); other errors pass. */
export function storeError(error: unknown, url: string | undefined): unknown {
  if (error instanceof PostgresStoreError || !isUnavailable(error)) return error;
  const target = url === undefined ? 'the database server' : describeTarget(url);
  return new PostgresStoreError('STORE_UNAVAILABLE', `PostgreSQL at ${target} is unavailable: ${(error as Error).message}`, { cause: error });
}

/** A pool that reports errors of idle connections to `onError` instead of crashing the process. */
export function createPool(config: PoolConfig, onError: (error: Error) => void = () => undefined): Pool {
  const pool = new pg.Pool({ ...config, types });
  pool.on('error', onError);
  // A connection the server ends while it is checked out (a restart, pg_terminate_backend) emits 'error' outside
  // any query: without a listener of its own that would crash the process. The query in progress, if any, fails
  // anyway, and the pool discards the connection.
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, url: string | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storeError(error, url);
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw storeError(error, url);
  } finally {
    // A connection whose rollback failed is in an unknown state: the pool discards it.
    client.release(broken);
  }
}

/** Runs one statement outside an explicit transaction. */
export async function query<R extends object>(pool: Pool, url: string | undefined, text: string, values: readonly unknown[] = []): Promise<R[]> {
  try {
    return (await pool.query(text, values as unknown[])).rows as R[];
  } catch (error) {
    throw storeError(error, url);
  }
}
