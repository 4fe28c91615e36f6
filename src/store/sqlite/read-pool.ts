// Reader threads for the embedded store: long searches and aggregations never block ingest or other requests.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../runtime/start-worker.js';
import { QueryError, type QueryErrorCode } from '../../query/query-error.js';
import { AggregationError, type AggregationRequest, type AggregationResult } from '../aggregation.js';
import { QueryTimeoutError, ReadAbortedError, type SearchPage, type SearchRequest } from '../finding-store.js';
import { LazyRecord } from './rows.js';
import type { SearchHints } from '../facets/facet-page.js';

export type ReadTask =
  | { readonly id: number; readonly kind: 'search'; readonly request: SearchRequest; readonly hints: SearchHints }
  | { readonly id: number; readonly kind: 'aggregate'; readonly request: AggregationRequest };

export type ReadReply =
  | { readonly id: number; readonly ok: true; readonly value: SearchPage | AggregationResult }
  | { readonly id: number; readonly ok: false; readonly error: { name: string; message: string; code?: string; position?: number } };

export interface ReadPoolOptions {
  readonly file: string;
  /** Reader threads; SQLite in WAL mode lets each read its own snapshot while the writer commits. */
  readonly size: number;
  /** A task not answered by then fails with QUERY_TIMEOUT and its thread is replaced. */
  readonly timeoutMs: number;
  /**
   * For tests, three Int32s: a reader counts each task it takes in the third (and notifies it), then waits while the
   * first (searches) or second (aggregations) is 0, so a test holds a query running for as long as it needs
   * instead of hoping it is slow.
   */
  readonly hold?: SharedArrayBuffer;
}

interface Job {
  readonly task: ReadTask;
  readonly resolve: (value: SearchPage | AggregationResult) => void;
  readonly reject: (error: Error) => void;
  /** Stops listening to the job's abort signal (once it settles). */
  forget?: () => void;
}

interface Reader {
  readonly worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

function revive(error: Extract<ReadReply, { ok: false }>['error']): Error {
  if (error.name === 'QueryError') {
    return new QueryError(error.message, {
      ...(error.code !== undefined && { code: error.code as QueryErrorCode }),
      ...(error.position !== undefined && { position: error.position }),
    });
  }
  if (error.code === 'INVALID_AGGREGATION') return new AggregationError(error.message);
  return new Error(`a store reader failed: ${error.message}`);
}

/** A search page as a reader sent it: its records are clones of LazyRecords. */
function revivePage(page: SearchPage): SearchPage {
  return { ...page, findings: page.findings.map((f) => new LazyRecord(f as LazyRecord)) };
}

export class ReadPool {
  private readonly options: ReadPoolOptions;
  private readonly readers: Reader[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Readers that failed in a row without answering: a reader that cannot even start must not respawn forever. */
  private failures = 0;

  constructor(options: ReadPoolOptions) {
    this.options = options;
    for (let i = 0; i < options.size; i++) this.readers.push(this.spawn());
  }

  /** `hints`: what the in-memory facets answered already (see search.ts). */
  search(request: SearchRequest, hints: SearchHints = {}, signal?: AbortSignal): Promise<SearchPage> {
    return this.run({ id: this.nextId++, kind: 'search', request, hints }, signal) as Promise<SearchPage>;
  }

  aggregate(request: AggregationRequest, signal?: AbortSignal): Promise<AggregationResult> {
    return this.run({ id: this.nextId++, kind: 'aggregate', request }, signal) as Promise<AggregationResult>;
  }

  /**
   * Queues a task. When `signal` aborts, the task rejects with ReadAbortedError and stops taking a reader: waiting,
   * it leaves the queue; running, its thread is terminated and replaced (SQLite cannot interrupt a statement from
   * another thread), so a dashboard that moved on, or a client that went away, does not keep readers busy.
   */
  private run(task: ReadTask, signal?: AbortSignal): Promise<SearchPage | AggregationResult> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    if (this.readers.length === 0) return Promise.reject(new Error('the store has no working reader; see the log'));
    if (signal?.aborted) return Promise.reject(new ReadAbortedError());
    return new Promise((resolve, reject) => {
      const job: Job = {
        task,
        resolve: (value) => {
          job.forget?.();
          resolve(value);
        },
        reject: (error) => {
          job.forget?.();
          reject(error);
        },
      };
      if (signal) {
        const drop = (): void => {
          const index = this.queue.indexOf(job);
          if (index !== -1) {
            this.queue.splice(index, 1);
            job.reject(new ReadAbortedError());
            return;
          }
          const reader = this.readers.find((r) => r.job === job);
          if (reader !== undefined) this.replace(reader, new ReadAbortedError());
        };
        signal.addEventListener('abort', drop, { once: true });
        job.forget = () => signal.removeEventListener('abort', drop);
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private spawn(): Reader {
    const reader: Reader = { worker: startWorker(import.meta.url, 'read-worker', { workerData: { file: this.options.file, hold: this.options.hold } }) };
    reader.worker.on('message', (reply: ReadReply) => {
      const job = reader.job;
      if (job === undefined || job.task.id !== reply.id) return;
      this.finish(reader);
      this.failures = 0;
      if (reply.ok) job.resolve(job.task.kind === 'search' ? revivePage(reply.value as SearchPage) : reply.value);
      else job.reject(revive(reply.error));
      this.dispatch();
    });
    reader.worker.on('error', (error) => this.replace(reader, new Error(`a store reader failed: ${error.message}`)));
    reader.worker.on('exit', () => this.replace(reader, new Error('a store reader stopped')));
    // Idle readers must not keep the process alive.
    reader.worker.unref();
    return reader;
  }

  private finish(reader: Reader): void {
    clearTimeout(reader.timer);
    delete reader.job;
    delete reader.timer;
  }

  /** Fails the reader's job (if any) and puts a fresh reader in its place. */
  private replace(reader: Reader, error: Error): void {
    const index = this.readers.indexOf(reader);
    if (index === -1) return;
    const job = reader.job;
    this.finish(reader);
    // Stopped on purpose, a reader has not failed: only other errors count towards giving up.
    if (!(error instanceof QueryTimeoutError || error instanceof ReadAbortedError)) this.failures++;
    if (this.closed || this.failures > 5) {
      this.readers.splice(index, 1);
      if (this.readers.length === 0) for (const queued of this.queue.splice(0)) queued.reject(error);
    } else {
      this.readers[index] = this.spawn();
    }
    reader.worker.removeAllListeners('exit');
    void reader.worker.terminate();
    job?.reject(error);
    this.dispatch();
  }

  /**
   * The next job for a free reader: searches first, since an analyst waits on them; aggregations (the
   * dashboard's panels and sidebars, which may scan for seconds) hold all readers but one, so that a
   * search never queues behind them.
   */
  private nextJob(): Job | undefined {
    const search = this.queue.findIndex((j) => j.task.kind === 'search');
    if (search >= 0) return this.queue.splice(search, 1)[0];
    const aggregating = this.readers.filter((r) => r.job?.task.kind === 'aggregate').length;
    if (this.queue.length > 0 && aggregating < Math.max(1, this.readers.length - 1)) return this.queue.shift();
    return undefined;
  }

  private dispatch(): void {
    for (const reader of this.readers) {
      if (reader.job !== undefined) continue;
      const job = this.nextJob();
      if (job === undefined) break;
      reader.job = job;
      reader.worker.ref();
      reader.timer = setTimeout(() => {
        this.replace(reader, new QueryTimeoutError(this.options.timeoutMs / 1000));
      }, this.options.timeoutMs);
      reader.worker.postMessage(job.task);
    }
    for (const reader of this.readers) if (reader.job === undefined) reader.worker.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the store is closed'));
    await Promise.all(this.readers.splice(0).map((r) => {
      r.worker.removeAllListeners('exit');
      r.job?.reject(new Error('the store is closed'));
      this.finish(r);
      return r.worker.terminate();
    }));
  }
}
