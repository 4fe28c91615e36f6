// The PostgreSQL finding store: several Yagura instances share one database, and every read means what it means
// in the embedded store (the conformance suite holds both to it).
import type { ClientConfig, Pool } from 'pg';
import type { FindingDocument, FindingKey, Finding } from '../../findings/finding.js';
import { bandFromRank } from '../../findings/severity.js';
import { compareVersions } from '../../findings/version-order.js';
import type { QueryNode } from '../../query/ast.js';
import type { BoundQuery } from '../../query/bound.js';
import type { AggregationRequest, AggregationResult } from '../aggregation.js';
import type { FacetableStore, SlotRemoveOptions } from '../facets/faceted-store.js';
import type { SearchHints } from '../facets/facet-page.js';
import {
  REMOVE_BATCH,
  type ArchivePurges,
  type RemovalCounts,
  type RemoveOptions,
  type ArchiveOutbox,
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
import { aggregate } from './aggregate.js';
import { compileQuery, Params, type CompileOptions } from './compile-query.js';
import { migrate } from './migrate.js';
import { postgresOutbox } from './outbox.js';
import { poolConfig, type StoreConfig } from './postgres-config.js';
import { PostgresStoreError } from './postgres-errors.js';
import { createPool, inTransaction, query } from './pool.js';
import { read, type Reader } from './read.js';
import { RECORD_COLUMNS, RECORD_FROM, toRecord, type RecordRow } from './records.js';
import { searchPage, whereOf } from './search.js';
import { STORE_MIGRATIONS } from './store-schema.js';
import { upsertBatch } from './upsert.js';
import { postgresArchivePurges, removeFindings } from './remove.js';
import type { FacetSource } from '../facets/facet-source.js';
import { PostgresFacetSource } from './facet-source.js';
import { postgresSemantics } from './postgres-semantics.js';

/** ICU's root collation: its lower() folds Unicode as JavaScript's toLowerCase does. */
const ICU_ROOT = 'und-x-icu';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStoreOptions {
  readonly config: StoreConfig;
  /** Keep the tables in this schema instead of the user's default (tests give each store its own). */
  readonly schema?: string;
  /** Errors of idle pooled connections (the server restarted…); the pool replaces them. */
  readonly onPoolError?: (error: Error) => void;
}

export class PostgresStore implements FacetableStore {
  readonly outbox: ArchiveOutbox;
  readonly archivePurges: ArchivePurges;
  /** Numbers of document paths, once committed (they never change). */
  private readonly paths = new Map<string, number>();

  private constructor(
    private readonly pool: Pool,
    private readonly url: string | undefined,
    /** How to open the connection that cancels a read. */
    private readonly cancelConfig: ClientConfig,
    private readonly timeoutMs: number,
    /** How queries are compiled here: whether IgnoreCase conditions fold case with ICU (as JavaScript does). */
    readonly compile: CompileOptions,
  ) {
    this.outbox = postgresOutbox(pool, url);
    this.archivePurges = postgresArchivePurges(pool, url);
  }

  /** Connects, brings the schema up to date (once, whatever other instances start at the same time) and returns the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const config = poolConfig(options.config);
    // No JIT: compiling a plan costs seconds for a query with many conditions, more than any search runs.
    config.options = `${config.options ?? ''} -c jit=off`.trim();
    if (options.schema !== undefined) {
      if (!SCHEMA_NAME.test(options.schema)) throw new PostgresStoreError('STORE_CONFIG_INVALID', `"${options.schema.slice(0, 80)}" is not a schema name`);
      config.options = `${config.options ?? ''} -c search_path=${options.schema}`.trim();
    }
    const pool = createPool(config, options.onPoolError);
    let compile: CompileOptions;
    try {
      await migrate(pool, STORE_MIGRATIONS);
      // PostgreSQL built without ICU has no such collation: lower() then follows the database's locale.
      const icu = await query<{ found: boolean }>(pool, options.config.url, 'SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = $1) AS found', [ICU_ROOT]);
      compile = icu[0]?.found === true ? { unicodeLower: ICU_ROOT } : {};
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, options.config.url, config, options.config.statementTimeoutSeconds * 1000, compile);
  }

  async upsert(findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): Promise<UpsertResult> {
    const { outcomes, archive } = await this.upsertSlots(findings, receivedAt, options);
    return { outcomes, archive };
  }

  async upsertSlots(findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): Promise<UpsertResult & { slots: readonly number[] }> {
    if (findings.length === 0) return { outcomes: [], archive: { objects: [] }, slots: [] };
    // The commit is durable once it returns (synchronous_commit on): no separate `durable` promise.
    const { newPaths, ...result } = await inTransaction(this.pool, this.url, (client) => upsertBatch(client, findings, receivedAt, options, this.paths));
    for (const [path, id] of newPaths) this.paths.set(path, id);
    return result;
  }

  async get(key: FindingKey): Promise<FindingWithHistory | undefined> {
    return inTransaction(this.pool, this.url, async (client) => {
      const found = await client.query<RecordRow & { rid: number; current: number; hash: string; count: number; received_at: number }>(
        `SELECT f.rid, f.current, f.hash, f.count, f.received_at, ${RECORD_COLUMNS} FROM ${RECORD_FROM}
         WHERE f.account_id = $1 AND f.region = $2 AND f.id = $3`,
        [key.accountId, key.region, key.id],
      );
      const row = found.rows[0];
      if (row === undefined) return undefined;
      const older = await client.query<{ hash: string; updated_at: number; count: number; received_at: number; doc: string }>(
        'SELECT hash, updated_at, count, received_at, doc FROM finding_versions WHERE finding = $1 AND seq <> $2',
        [row.rid, row.current],
      );
      const record = toRecord(row);
      const history: StoredVersion[] = older.rows.map((v) => ({ doc: JSON.parse(v.doc) as FindingDocument, hash: v.hash, updatedAt: v.updated_at, count: v.count, receivedAt: v.received_at }));
      history.sort(compareVersions);
      history.push({ doc: record.doc, hash: row.hash, updatedAt: row.updated_at, count: row.count, receivedAt: row.received_at });
      return { ...record, history };
    });
  }

  async search(request: SearchRequest, options: ReadOptions = {}): Promise<SearchPage> {
    return this.searchHinted(request, {}, options);
  }

  /** The facets' total is used; their page candidates are not (the planner reads a page through its indexes). */
  async searchHinted(request: SearchRequest, hints: SearchHints, options: ReadOptions = {}): Promise<SearchPage> {
    return this.read(options, (reader) => searchPage(reader, request, this.compile, hints.counted));
  }

  async aggregate(request: AggregationRequest, options: ReadOptions = {}): Promise<AggregationResult> {
    return this.read(options, (reader) => {
      const p = new Params();
      const sql = whereOf(request, p, this.compile);
      return aggregate(reader, request, { sql, params: p.values });
    });
  }

  async matching(query: QueryNode | BoundQuery, keys: readonly FindingKey[]): Promise<FindingRecord[]> {
    if (keys.length === 0) return [];
    const p = new Params();
    const where = compileQuery(query, p, this.compile);
    const list = `(f.account_id, f.region, f.id) IN (SELECT * FROM unnest(${p.add(keys.map((k) => k.accountId))}::text[], ${p.add(keys.map((k) => k.region))}::text[], ${p.add(keys.map((k) => k.id))}::text[]))`;
    const rows = await this.read({}, (reader) => reader.rows<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${RECORD_FROM} WHERE ${list} AND (${where})`, p.values));
    return rows.map(toRecord);
  }

  async changesSince(seq: number, limit: number): Promise<FindingChange[]> {
    const rows = await this.rows<RecordRow & { seq: number; hash: string; outcome: 'created' | 'updated'; change_band: number; prev_band: number | null; change_count: number; prev_count: number | null; at: number }>(
      `SELECT c.seq, c.hash, c.outcome, c.band AS change_band, c.prev_band, c.count AS change_count, c.prev_count, c.at, ${RECORD_COLUMNS}
       FROM finding_changes c JOIN ${RECORD_FROM} ON f.rid = c.finding WHERE c.seq > $1 AND c.outcome <> 'archived' ORDER BY c.seq LIMIT $2`,
      [seq, limit],
    );
    return rows.map((r) => ({
      seq: r.seq,
      hash: r.hash,
      outcome: r.outcome,
      band: bandFromRank(r.change_band),
      ...(r.prev_band !== null && { previousBand: bandFromRank(r.prev_band) }),
      count: r.change_count,
      ...(r.prev_count !== null && { previousCount: r.prev_count }),
      at: r.at,
      record: toRecord(r),
    }));
  }

  async pruneChanges(upToSeq: number, limit: number): Promise<number> {
    const rows = await this.rows<{ seq: number }>(
      'DELETE FROM finding_changes WHERE seq IN (SELECT seq FROM finding_changes WHERE seq <= $1 ORDER BY seq LIMIT $2) RETURNING seq',
      [upToSeq, limit],
    );
    return rows.length;
  }

  async lastChange(): Promise<number> {
    const rows = await this.rows<{ last_seq: number }>('SELECT last_seq FROM finding_change_head');
    return rows[0]?.last_seq ?? 0;
  }

  async setArchived(key: FindingKey, archived: boolean, actor: string, at: number): Promise<boolean> {
    return (await this.setArchivedSlot(key, archived, actor, at)) !== undefined;
  }

  /**
   * Also enters the change in the change log (outcome `archived`, which `changesSince` leaves out: it is not a new
   * version), so that other instances' facets follow it. The log's head is locked first, as an upsert locks it.
   */
  async setArchivedSlot(key: FindingKey, archived: boolean, actor: string, at: number): Promise<number | undefined> {
    return inTransaction(this.pool, this.url, async (client) => {
      const head = await client.query<{ last_seq: number }>('SELECT last_seq FROM finding_change_head FOR UPDATE');
      const changed = await client.query<{ rid: number; hash: string; band: number; count: number }>(
        'UPDATE findings SET archived = $1 WHERE account_id = $2 AND region = $3 AND id = $4 RETURNING rid, hash, band, count',
        [archived, key.accountId, key.region, key.id],
      );
      const row = changed.rows[0];
      if (row === undefined) return undefined;
      await client.query('INSERT INTO finding_archive_actions (account_id, region, id, archived, actor, at) VALUES ($1, $2, $3, $4, $5, $6)', [key.accountId, key.region, key.id, archived, actor, at]);
      const seq = head.rows[0]!.last_seq + 1;
      await client.query("INSERT INTO finding_changes (seq, finding, hash, outcome, band, count, at) VALUES ($1, $2, $3, 'archived', $4, $5, $6)", [seq, row.rid, row.hash, row.band, row.count, at]);
      await client.query('UPDATE finding_change_head SET last_seq = $1', [seq]);
      return row.rid;
    });
  }

  async remove(keys: readonly FindingKey[], options: SlotRemoveOptions = {}): Promise<RemovalCounts> {
    return removeFindings(this.pool, this.url, keys, options, REMOVE_BATCH);
  }

  /** Dead rows are the server's to vacuum; nothing of them is in Yagura's files. */
  async scrub(_options?: { readonly compact?: boolean }): Promise<void> {}

  async count(): Promise<number> {
    const rows = await this.rows<{ n: number }>('SELECT count(*)::bigint AS n FROM findings');
    return rows[0]?.n ?? 0;
  }

  /** The findings as in-memory facets read them, following every instance's commits through the change log. */
  facetSource(): FacetSource {
    return new PostgresFacetSource((text, values) => this.rows(text, values), postgresSemantics(this.compile.unicodeLower !== undefined));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private rows<R extends object>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return query<R>(this.pool, this.url, text, values);
  }

  private read<T>(options: ReadOptions, work: (reader: Reader) => Promise<T>): Promise<T> {
    return read(this.pool, this.url, this.cancelConfig, { timeoutMs: this.timeoutMs, ...(options.signal !== undefined && { signal: options.signal }) }, work);
  }
}
