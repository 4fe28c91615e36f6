// The embedded store: one SQLite file in WAL mode (see docs/adr/0001-embedded-store.md).
import { open, type FileHandle } from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { Finding, FindingDocument, FindingKey } from '../../findings/finding.js';
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundQuery } from '../../query/bound.js';
import type { AggregationRequest, AggregationResult } from '../aggregation.js';
import type { FacetableStore } from '../facets/faceted-store.js';
import {
  noRemovals,
  REMOVE_BATCH,
  type ArchiveOutbox,
  type ArchivePurges,
  type RemovalCounts,
  type FindingChange,
  type FindingRecord,
  type FindingWithHistory,
  type ReadOptions,
  type SearchPage,
  type SearchRequest,
  type StoredVersion,
  type UpsertOptions,
  type UpsertResult,
} from '../finding-store.js';
import type { SearchHints } from '../facets/facet-page.js';
import type { SlotRemoveOptions } from '../facets/faceted-store.js';
import { sqliteArchivePurges } from './archive-index.js';
import { buildRemover, compactIfPending, compactStore, markCompactionPending, mergeTextIndex, truncateWal, type BatchRemover } from './remove.js';
import { sqliteOutbox } from './archive-outbox.js';
import { compareVersions } from '../../findings/version-order.js';
import { aggregate } from './aggregate.js';
import { setArchived } from './archive-state.js';
import { compileQuery, registerQueryFunctions } from './compile-query.js';
import { RECORD_COLUMNS, toRecord, type RecordRow } from './rows.js';
import { ReadPool } from './read-pool.js';
import { migrate, SCHEMA_VERSION, SEALED_DESTINATIONS_SCHEMA_VERSION, type MigrationContext } from './schema.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { buildDeferredIndexes, deferIndexes } from './deferred-indexes.js';
import { holdPendingText, inlineTextMerges, startTextMerges } from './text-merges.js';
import { relaxed } from './relaxed.js';
import { search } from './search.js';
import { buildUpsert, type SqliteUpsertResult } from './upsert.js';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../runtime/start-worker.js';
import { buildChangeLog, type ChangeLog } from './change-log.js';

export interface SqliteStoreOptions {
  /** Path of the database file, or `:memory:` for tests that need no durability. */
  readonly file: string;
  readonly readonly?: boolean;
  /**
   * Page cache of the writer connection. 16 MiB keeps a server small (a served store's writer touches index
   * pages at random, so a larger cache fills up without making commits measurably faster: on a served 1M store,
   * 32 MiB gave 539 single POSTs/s and 1,465 findings/s in batches, 16 MiB 576 and 1,480); a bulk import into
   * a large store wants its indexes in cache (at 1M findings they are ~600 MB, and random inserts into them otherwise read a page
   * from disk per index per finding: measured 18,000 page reads/s and ~350 versions/s).
   */
  readonly cacheMiB?: number;
  /**
   * Bulk loading (`yagura import` into a data folder): checkpoint the WAL into the database only after about
   * 1 GiB of it rather than after every commit, so index pages rewritten by batch after batch are copied once
   * (measured at 1M findings: 1,533 → 1,866 versions/s). Commits still fsync the WAL: durability is the same.
   */
  readonly bulk?: boolean;
  /**
   * Checkpoint the WAL on a thread of its own instead of inside every ~1,000th commit, so that no ingest request
   * waits for a checkpoint's copy and fsync (a server wants this; tests and CLI verbs need not).
   */
  readonly backgroundCheckpoints?: boolean;
  /** Pause between background checkpoints under a light load (default 100 ms; see checkpoint-pause.ts). */
  readonly checkpointIntervalMs?: number;
  /**
   * Merge the free-text index in small slices between commits instead of inside them, so that no commit
   * waits tens of milliseconds for FTS5 (a server wants this; an import is faster with merges inside).
   */
  readonly textMerges?: boolean;
  /** Seals what migrations find in plain text (alert destinations of a store from before secrets at rest). */
  readonly secrets?: SecretBox;
  /** Reader threads for searches and aggregations (0: run them on the caller's thread, as tests may). */
  readonly readers?: { readonly size: number; readonly timeoutMs: number };
}

/** See `SqliteStoreOptions.cacheMiB`. */
const WRITER_CACHE_MIB = 16;
/**
 * Page cache of each reader thread. A reader either fetches a page of 50 documents by row id or scans more than
 * any cache holds; 8 MiB instead of 16 left search latency as it was and the server 8–16 MB smaller at 1M findings.
 */
const READER_CACHE_MIB = 8;

/** WAL bytes between checkpoints when bulk loading. */
const BULK_CHECKPOINT_BYTES = 1024 * 1024 * 1024;

/** Keys per query when matching fresh findings: three parameters each, well under SQLite's limit. */
const MATCH_CHUNK = 500;

interface VersionRow {
  hash: string;
  updated_at: number;
  count: number;
  received_at: number;
  doc: string;
}

/**
 * Opens the database with the durability Yagura promises: WAL, and `synchronous = FULL` so that a
 * committed transaction (and so a 2xx answer) survives power loss, not just a process crash.
 */
export function openDatabase(file: string, readonly = false, cacheMiB = readonly ? READER_CACHE_MIB : WRITER_CACHE_MIB, migration: MigrationContext = {}): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: readonly });
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Deleted and moved content is overwritten with zeros, not left in free space: a page rebalanced while this
    // was off keeps stale copies of cells in its unused area, which outlive an erasure of their live copy.
    db.pragma('secure_delete = ON');
  }
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${-Math.round(cacheMiB * 1024)}`);
  db.pragma('temp_store = MEMORY');
  // No memory map: with one, every connection (writer and each reader thread) counts up to mmap_size of the
  // file in the process's RSS (measured 443–565 MiB at 1M findings with 256 MiB maps); page reads through the
  // bounded page cache keep the server's memory at what its caches are configured to.
  db.pragma('mmap_size = 0');
  if (!readonly) {
    // An import that stopped before building the indexes it deferred leaves them to the next writer.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version <= SCHEMA_VERSION) buildDeferredIndexes(db);
    migrate(db, SCHEMA_VERSION, migration);
    // WAL frames from before destinations were sealed (an unclean stop leaves them) may hold their plain text:
    // copied into the database and dropped from the WAL now rather than overwritten some time later.
    if (version > 0 && version < SEALED_DESTINATIONS_SCHEMA_VERSION) db.pragma('wal_checkpoint(TRUNCATE)');
    // Planner statistics from a bounded sample, so that opening a large store stays quick.
    db.pragma('analysis_limit = 1000');
    db.pragma('optimize = 0x10002');
  }
  registerQueryFunctions(db);
  return db;
}

export class SqliteStore implements FacetableStore {
  readonly db: Database.Database;
  private readonly upsertBatch: (findings: readonly Finding[], receivedAt: number, options?: UpsertOptions) => SqliteUpsertResult;
  readonly outbox: ArchiveOutbox;
  readonly archivePurges: ArchivePurges;
  private remover: BatchRemover | undefined;
  private closing = false;
  private checkpointer: Worker | undefined;
  private readonly pool: ReadPool | undefined;
  private changeLog: ChangeLog | undefined;
  private stopTextMerges: (() => void) | undefined;
  /** The write-ahead log, fsynced after each upsert (none in memory). */
  private readonly walFile: string | undefined;
  /**
   * The WAL, opened once and kept open for the fsyncs: opening and closing it around each fsync cost two more
   * trips through libuv's pool per commit. SQLite keeps the same file while the writer's connection is open (it
   * deletes the WAL only when the last connection closes, and a checkpoint truncates or rewinds it in place).
   */
  private walHandle: Promise<FileHandle> | undefined;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.file, options.readonly ?? false, options.cacheMiB, { ...(options.secrets && { secrets: options.secrets }) });
    if (!options.readonly && options.file !== ':memory:') this.walFile = `${options.file}-wal`;
    // Before any reader thread or checkpointer opens it: an erasure finished since the last rebuild leaves one pending.
    if (!options.readonly && options.file !== ':memory:') compactIfPending(this.db);
    this.archivePurges = sqliteArchivePurges(this.db);
    if (!options.readonly) {
      holdPendingText(this.db);
      if (options.textMerges) this.stopTextMerges = startTextMerges(this.db);
      else inlineTextMerges(this.db);
    }
    if (options.bulk && !options.readonly) {
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      this.db.pragma(`wal_autocheckpoint = ${Math.round(BULK_CHECKPOINT_BYTES / pageSize)}`);
    } else if (options.backgroundCheckpoints && !options.readonly && options.file !== ':memory:') {
      // Commits no longer checkpoint; a thread of its own does, every 100 ms under a light load: each checkpoint
      // ends with an fsync of the database, which the commits' own fsyncs queue behind, so many small ones hurt
      // less than few large ones (arrival p99 on a served 1M store: 56–80 ms every second, 22–44 ms every 100 ms).
      // Under a saturating load it waits longer between them (see checkpoint-pause.ts).
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = startWorker(import.meta.url, 'checkpoint-worker', { workerData: { file: options.file, intervalMs: options.checkpointIntervalMs ?? 100 } });
      // Should the thread fail, stop or report a failed checkpoint (a full disk, an I/O error), commits checkpoint
      // again as SQLite does by default once the WAL passes ~4 MiB: the WAL never grows unbounded, and the error
      // then surfaces in a commit, whose request fails, instead of nowhere.
      const fallBack = (): void => {
        if (!this.closing && this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      };
      this.checkpointer.on('error', fallBack);
      this.checkpointer.on('exit', fallBack);
      this.checkpointer.on('message', (m: { error?: string }) => {
        if (m.error !== undefined) fallBack();
      });
      this.checkpointer.unref();
    }
    this.pool = options.readers && options.readers.size > 0 && options.file !== ':memory:'
      ? new ReadPool({ file: options.file, ...options.readers })
      : undefined;
    this.upsertBatch = options.readonly ? () => {
      throw new Error('the store is open read-only');
    } : buildUpsert(this.db);
    this.outbox = sqliteOutbox(this.db, () => (this.walFile === undefined ? Promise.resolve() : this.syncWal()));
  }

  private async stopCheckpointer(): Promise<void> {
    const worker = this.checkpointer;
    if (worker === undefined) return;
    this.checkpointer = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 10_000);
      worker.on('message', (m: { stopped?: true }) => {
        if (!m.stopped) return;
        clearTimeout(timer);
        void worker.terminate().then(() => resolve());
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ stop: true });
    });
  }

  /** Built on first use: a read-only handle on an older file may lack the table until a writer migrates it. */
  private get changes(): ChangeLog {
    this.changeLog ??= buildChangeLog(this.db);
    return this.changeLog;
  }

  async changesSince(seq: number, limit: number): Promise<FindingChange[]> {
    return this.changes.since(seq, limit);
  }

  /**
   * Without waiting for its own fsync: a prune lost in a power cut leaves entries the consumer has read, and the
   * next prune drops them. Waiting would hold the event loop for an fsync beside every ingest's commit.
   */
  async pruneChanges(upToSeq: number, limit: number): Promise<number> {
    return relaxed(this.db, () => this.changes.prune(upToSeq, limit));
  }

  async lastChange(): Promise<number> {
    return this.changes.last();
  }

  /**
   * Commits without waiting for the disk (`synchronous = NORMAL` writes the WAL but does not fsync it), then
   * fsyncs the WAL on libuv's pool (`durable`): the event loop is not held for the fsync, and the next batch
   * commits meanwhile (an import also flushes its archive objects at the same time).
   * Fsyncing the WAL after a NORMAL commit makes it exactly as durable as a FULL commit (which is that fsync).
   */
  async upsert(findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): Promise<UpsertResult> {
    const result = await this.upsertSlots(findings, receivedAt, options);
    return { outcomes: result.outcomes, archive: result.archive, ...(result.durable && { durable: result.durable }) };
  }

  async upsertSlots(findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): Promise<UpsertResult & { slots: readonly number[] }> {
    const relaxed = this.walFile !== undefined;
    if (relaxed) this.db.pragma('synchronous = NORMAL');
    let result: SqliteUpsertResult;
    try {
      result = this.upsertBatch(findings, receivedAt, options);
    } finally {
      if (relaxed) this.db.pragma('synchronous = FULL');
    }
    if (!relaxed) return { outcomes: result.outcomes, archive: result.archive, slots: result.changed };
    const durable = this.syncWal();
    // Awaited by the caller, maybe after other work: a failure must not count as unhandled meanwhile.
    durable.catch(() => undefined);
    return { outcomes: result.outcomes, archive: result.archive, durable, slots: result.changed };
  }

  private async syncWal(): Promise<void> {
    this.walHandle ??= open(this.walFile!, 'r');
    const handle = this.walHandle;
    try {
      await (await handle).datasync();
    } catch (error) {
      // Opened again by the next fsync (an open that failed is not kept).
      if (this.walHandle === handle) this.walHandle = undefined;
      throw error;
    }
  }

  async get(key: FindingKey): Promise<FindingWithHistory | undefined> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT f.rowid, f.current, ${RECORD_COLUMNS}, f.hash, f.updated_at, f.count, f.received_at FROM findings f WHERE account_id = ? AND region = ? AND id = ?`)
        .get(key.accountId, key.region, key.id) as (RecordRow & { rowid: number; current: number } & Omit<VersionRow, 'doc'>) | undefined;
      if (row === undefined) return undefined;
      const older = this.db
        .prepare('SELECT hash, updated_at, count, received_at, doc FROM finding_versions WHERE finding = ? AND seq <> ?')
        .all(row.rowid, row.current) as VersionRow[];
      const record = toRecord(row);
      const versions: StoredVersion[] = older.map((v) => ({
        doc: JSON.parse(v.doc) as FindingDocument,
        hash: v.hash,
        updatedAt: v.updated_at,
        count: v.count,
        receivedAt: v.received_at,
      }));
      versions.sort(compareVersions);
      versions.push({ doc: record.doc, hash: row.hash, updatedAt: row.updated_at, count: row.count, receivedAt: row.received_at });
      return { ...record, history: versions };
    })();
  }

  async search(request: SearchRequest, options: ReadOptions = {}): Promise<SearchPage> {
    return this.searchHinted(request, {}, options);
  }

  /** `hints`: what the facets answered already (the total; for a page sorted by `updatedAt`, the rows it can hold). */
  async searchHinted(parsed: SearchRequest, hints: SearchHints, options: ReadOptions = {}): Promise<SearchPage> {
    const request: SearchRequest = { ...parsed, query: bindQuery(parsed.query) };
    if (this.pool) return this.pool.search(request, hints, options.signal);
    return this.db.transaction(() => search(this.db, request, hints))();
  }

  async aggregate(parsed: AggregationRequest, options: ReadOptions = {}): Promise<AggregationResult> {
    const request: AggregationRequest = { ...parsed, query: bindQuery(parsed.query) };
    if (this.pool) return this.pool.aggregate(request, options.signal);
    return aggregate(this.db, request);
  }

  /**
   * Before a bulk import that will hold more findings than the store does: drops the indexes that only
   * searches use, so each stored version writes a few pages instead of ~15 random ones. Searches scan until
   * `finishBulkLoad`; only the holder of the data folder's lock (an import) may call this.
   */
  deferIndexes(): number {
    return deferIndexes(this.db);
  }

  /** Builds the indexes `deferIndexes` dropped (sorting on two threads); returns how many. */
  finishBulkLoad(): number {
    this.db.pragma('threads = 2');
    try {
      return buildDeferredIndexes(this.db);
    } finally {
      this.db.pragma('threads = 0');
    }
  }

  /** Bytes of the database's pages (the file once checkpointed). */
  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  async matching(query: QueryNode | BoundQuery, keys: readonly FindingKey[]): Promise<FindingRecord[]> {
    const where = compileQuery(query);
    const found: FindingRecord[] = [];
    for (let i = 0; i < keys.length; i += MATCH_CHUNK) {
      const chunk = keys.slice(i, i + MATCH_CHUNK);
      const rows = this.db
        .prepare(
          `SELECT ${RECORD_COLUMNS} FROM findings f
           WHERE (f.account_id, f.region, f.id) IN (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}) AND (${where.sql})`,
        )
        .all(...chunk.flatMap((k) => [k.accountId, k.region, k.id]), ...where.params) as RecordRow[];
      for (const row of rows) found.push(toRecord(row));
    }
    return found;
  }

  async setArchived(key: FindingKey, archived: boolean, actor: string, at: number): Promise<boolean> {
    return (await this.setArchivedSlot(key, archived, actor, at)) !== undefined;
  }

  async setArchivedSlot(key: FindingKey, archived: boolean, actor: string, at: number): Promise<number | undefined> {
    return setArchived(this.db, key, archived, actor, at);
  }

  /**
   * Each batch commits with `synchronous = FULL`, durable before the next begins. The writer keeps `secure_delete`
   * on (openDatabase), so the removed rows' bytes are overwritten in their pages rather than left in free space.
   */
  async remove(keys: readonly FindingKey[], options: SlotRemoveOptions = {}): Promise<RemovalCounts> {
    this.remover ??= buildRemover(this.db);
    const remover = this.remover;
    const total = noRemovals();
    for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const removed = this.db.transaction(() => remover(keys.slice(i, i + REMOVE_BATCH), options))();
      await options.removedSlots?.(removed.rowids);
      for (const place of Object.keys(total) as Array<keyof RemovalCounts>) total[place] += removed.counts[place];
    }
    return total;
  }

  async scrub(options: { readonly compact?: boolean } = {}): Promise<void> {
    if (this.db.readonly) return;
    await mergeTextIndex(this.db);
    if (options.compact) compactStore(this.db);
    else markCompactionPending(this.db);
    if (this.walFile !== undefined && !(await truncateWal(this.db))) {
      throw new Error('the write-ahead log could not be truncated (readers kept it busy); scrub again');
    }
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM findings').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopTextMerges?.();
    const wal = this.walHandle;
    this.walHandle = undefined;
    await wal?.then((h) => h.close(), () => undefined);
    await this.stopCheckpointer();
    await this.pool?.close();
    if (this.db.open) {
      if (!this.db.readonly) {
        // Keeps the planner's statistics current (cheap; SQLite's recommendation at close).
        this.db.pragma('optimize');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      }
      this.db.close();
    }
  }
}
