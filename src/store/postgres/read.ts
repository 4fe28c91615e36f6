// Searches and aggregations on one connection, in one read-only snapshot, stopped on the server when they run past
// the time limit or when nobody waits for the answer any more (a dashboard that moved on, a client that left).
import pg from 'pg';
import type { ClientConfig, Pool, PoolClient } from 'pg';
import { QueryTimeoutError, ReadAbortedError } from '../finding-store.js';
import { storeError } from './pool.js';

/** Runs the statements of one read. */
export interface Reader {
  rows<R extends object>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

export interface ReadLimits {
  /** The whole read's time limit; the server's statement_timeout bounds each statement as well. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** SQLSTATE of a statement the server cancelled (statement_timeout, or a cancel request). */
const QUERY_CANCELED = '57014';

/**
 * Asks the server to cancel what a connection runs, from a connection of its own (the pool may be full of the very
 * reads to stop). The cancelled connection is discarded afterwards, so a cancel that lands late stops nothing else.
 */
async function cancelBackend(config: ClientConfig, client: PoolClient): Promise<void> {
  // processID is the backend's pid, which node-postgres keeps from the connection's BackendKeyData.
  const pid = (client as unknown as { processID?: number | null }).processID;
  if (typeof pid !== 'number') return;
  const canceller = new pg.Client({ ...config, application_name: 'yagura-cancel' });
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The server's statement_timeout still stops the statement.
  } finally {
    await canceller.end().catch(() => undefined);
  }
}

/**
 * Runs `work` in a read-only REPEATABLE READ transaction (a count and its page see the same findings). When the
 * time limit passes or `signal` aborts, the running statement is cancelled on the server and the read rejects
 * with QueryTimeoutError or ReadAbortedError; a read aborted before it got a connection never reaches the server.
 */
export async function read<T>(pool: Pool, url: string | undefined, cancelConfig: ClientConfig, limits: ReadLimits, work: (reader: Reader) => Promise<T>): Promise<T> {
  const { signal, timeoutMs } = limits;
  if (signal?.aborted) throw new ReadAbortedError();
  let stopped: Error | undefined;
  let client: PoolClient | undefined;
  let cancelled: Promise<void> | undefined;
  let wake: ((error: Error) => void) | undefined;
  // Settles (rejects) only when the read is stopped; whatever it races with is then left to finish on its own.
  const stopping = new Promise<never>((_, reject) => {
    wake = reject;
  });
  stopping.catch(() => undefined);
  const stop = (error: Error): void => {
    if (stopped !== undefined) return;
    stopped = error;
    if (client !== undefined) cancelled = cancelBackend(cancelConfig, client);
    wake?.(error);
  };
  const onAbort = (): void => stop(new ReadAbortedError());
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop(new QueryTimeoutError(timeoutMs / 1000)), timeoutMs);
  try {
    const connecting = pool.connect();
    try {
      client = await Promise.race([connecting, stopping]);
    } catch (error) {
      // A connection that comes after the read gave up goes straight back.
      void connecting.then((c) => c.release(), () => undefined);
      throw stopped ?? storeError(error, url);
    }
    const active = client;
    const reader: Reader = {
      async rows<R extends object>(text: string, values: readonly unknown[] = []): Promise<R[]> {
        if (stopped !== undefined) throw stopped;
        return (await active.query(text, values as unknown[])).rows as R[];
      },
    };
    const run = (async (): Promise<T> => {
      await active.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(reader);
      await active.query('COMMIT');
      return result;
    })();
    try {
      const result = await Promise.race([run, stopping]);
      active.release();
      return result;
    } catch (error) {
      if (stopped === undefined && (error as { code?: unknown }).code !== QUERY_CANCELED) {
        // A connection that cannot roll back is in an unknown state: the pool discards it.
        const clean = await active.query('ROLLBACK').then(() => true, () => false);
        active.release(!clean);
        throw storeError(error, url);
      }
      // Stopped or cancelled: the connection may still run or be about to be cancelled, so it is dropped, not reused.
      run.catch(() => undefined);
      active.release(true);
      throw stopped ?? new QueryTimeoutError(timeoutMs / 1000);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await cancelled;
  }
}
