// The store contract: every backend (SQLite now, PostgreSQL later) passes the same conformance suite.
import type { DerivedFields, Finding, FindingDocument, FindingKey } from '../findings/finding.js';
import type { SeverityBand } from '../findings/severity.js';
import type { QueryNode } from '../query/ast.js';
import type { BoundQuery } from '../query/bound.js';
import type { ArchiveObject } from '../archive/archive.js';
import type { AggregationRequest, AggregationResult } from './aggregation.js';

/** What storing one version did: a new finding, a newer version, an older version kept as history, or nothing. */
export type UpsertOutcome = 'created' | 'updated' | 'history' | 'unchanged';

/** Versions stored by one upsert that still have to reach the archive, grouped into named objects. */
export interface ArchiveBatch {
  /** One entry per archive object: GuardDuty's layout partition plus the object's name. */
  readonly objects: readonly SealedObject[];
}

/** A sealed archive object with the outbox's id for it, to confirm it once written. */
export interface SealedObject extends ArchiveObject {
  readonly id: number;
}

/**
 * An archive object the store's outbox records: its partition and fixed name, when it was opened, whether it is
 * sealed (closed to new versions, its lines fixed), and how many lines and uncompressed bytes it holds.
 */
export interface OutboxObject extends Omit<ArchiveObject, 'lines'> {
  readonly id: number;
  /** Epoch ms when its first version was stored. */
  readonly openedAt: number;
  /** Epoch ms when it was sealed; absent while versions still join it. */
  readonly sealedAt?: number;
  readonly lines: number;
  readonly bytes: number;
}

export interface UpsertOptions {
  /**
   * Seal the batch's archive objects in the same transaction and return their lines (imports: one large object
   * per partition and batch). Otherwise versions join the open rolling object of their partition.
   */
  readonly sealArchive?: boolean;
}

export interface UpsertResult {
  readonly outcomes: readonly UpsertOutcome[];
  /** The batch's sealed archive objects when `sealArchive` was asked for; none otherwise. */
  readonly archive: ArchiveBatch;
  /**
   * Settles when the commit would survive a power cut, when that comes after `upsert` resolved (the commit is
   * visible at once, and made durable beside other work); absent when `upsert` resolved only once it was.
   */
  readonly durable?: Promise<void>;
}

export interface StoredVersion {
  readonly doc: FindingDocument;
  readonly hash: string;
  readonly updatedAt: number;
  readonly count: number;
  /** Epoch ms when Yagura stored this version. */
  readonly receivedAt: number;
}

export interface FindingRecord {
  readonly key: FindingKey;
  readonly doc: FindingDocument;
  readonly derived: DerivedFields;
  /** The document's JSON text as stored, when the store reads it as text: an answer can carry it as it is. */
  readonly json?: string;
  /** The document's `createdAt` and `updatedAt` as parsed when it was stored (epoch ms), when the store keeps them. */
  readonly times?: DocumentTimes;
}

export interface DocumentTimes {
  readonly createdAt?: number;
  readonly updatedAt: number;
}

export interface FindingWithHistory extends FindingRecord {
  /** Every distinct stored version, oldest first; the last one is the current version. */
  readonly history: readonly StoredVersion[];
}

export const SORT_FIELDS = ['updatedAt', 'createdAt', 'severity', 'type', 'accountId', 'region', 'count', 'firstSeen', 'lastSeen'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface Sort {
  readonly field: SortField;
  readonly order: 'asc' | 'desc';
}

/** Opaque keyset position: the sort value and identity of the last row of a page. */
export interface SearchPosition {
  readonly value: string | number;
  readonly key: FindingKey;
}

export interface SearchRequest {
  /** A parse tree is bound when the store reads (relative times resolve then); a bound query may carry a scope. */
  readonly query: QueryNode | BoundQuery;
  /** Epoch ms, inclusive, on `updatedAt`. */
  readonly from?: number;
  /** Epoch ms, exclusive, on `updatedAt`. */
  readonly to?: number;
  readonly size: number;
  readonly sort: Sort;
  readonly after?: SearchPosition;
  /** Count matches exactly up to this many; beyond it `total` is this number and `totalRelation` is `gte`. */
  readonly trackTotalUpTo?: number;
}

export interface SearchPage {
  readonly total: number;
  /** `eq`: total is exact; `gte`: at least total match (counting stopped at trackTotalUpTo). */
  readonly totalRelation: 'eq' | 'gte';
  readonly findings: readonly FindingRecord[];
  /** Present when more rows follow. */
  readonly next?: SearchPosition;
}

/** One entry of the change log: a new or updated current version, in commit order. */
export interface FindingChange {
  /** Position in the log; strictly increasing in commit order. */
  readonly seq: number;
  /** Content hash of the version this entry records. */
  readonly hash: string;
  readonly outcome: 'created' | 'updated';
  readonly band: SeverityBand;
  /** Band of the version it replaced (absent for a new finding). */
  readonly previousBand?: SeverityBand;
  readonly count: number;
  readonly previousCount?: number;
  /** Epoch ms when Yagura stored the version. */
  readonly at: number;
  /** The finding as it is now (a later change may have replaced the recorded version). */
  readonly record: FindingRecord;
}

/** Archive objects whose versions are stored but not yet confirmed in the archive. */
export interface ArchiveOutbox {
  /** Objects open or sealed and not yet confirmed, oldest first. */
  objects(): Promise<OutboxObject[]>;
  /** Closes objects to new versions; resolves once that is durable, so their lines can no longer change. */
  seal(ids: readonly number[], at: number): Promise<void>;
  /**
   * A sealed object's lines in commit order, a page at a time: the same pages every time they are read, so an
   * object written from them again is the same object.
   */
  lines(object: OutboxObject): AsyncIterable<ReadonlyArray<Uint8Array>>;
  /** Forgets objects written durably to the archive, with their versions' outbox entries. */
  confirm(ids: readonly number[]): Promise<void>;
}

/** What `FindingStore.remove` removed, place by place (rows; a finding's versions include its current one). */
export interface RemovalCounts {
  /** Current records. */
  readonly findings: number;
  /** Stored versions, current and history. */
  readonly versions: number;
  /** Free-text index entries. */
  readonly freeText: number;
  /** Path/value index rows (the values of searched document paths). */
  readonly documentValues: number;
  readonly remoteParties: number;
  /** Change log entries. */
  readonly changes: number;
  /** Archive and unarchive actions recorded in Yagura. */
  readonly archiveActions: number;
  /** Outbox entries of versions not yet in the archive (their lines are left out of the objects still to write). */
  readonly outbox: number;
  /** Archive objects queued to be rewritten without the findings' lines (`archivePurges`). */
  readonly archiveObjects: number;
}

export const REMOVAL_PLACES = ['findings', 'versions', 'freeText', 'documentValues', 'remoteParties', 'changes', 'archiveActions', 'outbox', 'archiveObjects'] as const satisfies ReadonlyArray<keyof RemovalCounts>;

/** Counts of nothing removed, to add to. */
export function noRemovals(): { -readonly [K in keyof RemovalCounts]: number } {
  return { findings: 0, versions: 0, freeText: 0, documentValues: 0, remoteParties: 0, changes: 0, archiveActions: 0, outbox: 0, archiveObjects: 0 };
}

export interface RemoveOptions {
  /**
   * `erase` (the default): the archive objects that hold the findings' versions are queued to be rewritten without
   * them (`archivePurges`). `keep`: the archive keeps them and its index still knows where they are (store
   * retention, whose archive has a retention of its own).
   */
  readonly archive?: 'erase' | 'keep';
}

/** An archive object some of whose lines are to go: its partition and name, and the digests of the keys to drop. */
export interface ArchivePurge {
  readonly accountId: string;
  readonly region: string;
  /** `YYYY/MM/DD`. */
  readonly day: string;
  readonly name: string;
  /** `shortKeyDigest` of every finding whose lines must leave the object. */
  readonly keys: readonly Buffer[];
  /**
   * The object is still in the outbox, not confirmed in the archive: the archiver writes it later from the outbox,
   * which no longer has those lines, so there is nothing to rewrite (as long as no write of it is under way).
   */
  readonly inOutbox: boolean;
}

/**
 * Archive objects to rewrite without erased findings' lines, filled by `remove` in the transaction that removes
 * them, so a crash between the removal and the rewrite leaves the rewrite queued.
 */
export interface ArchivePurges {
  /** Up to `limit` objects with lines to drop, with every key to drop from each; objects still in the outbox last. */
  pending(limit: number): Promise<ArchivePurge[]>;
  /** The object was rewritten without those keys (or needs no rewrite): forgets them for it. */
  done(purge: ArchivePurge): Promise<void>;
}

/** Findings as the store keeps them: one current record per key, its history, and what Yagura derives. */
export interface FindingStore {
  /**
   * Stores a batch atomically; the result lists the archive objects the new versions belong in and, when the
   * commit is made durable after it, a promise of that.
   */
  upsert(findings: readonly Finding[], receivedAt: number, options?: UpsertOptions): Promise<UpsertResult>;
  /**
   * The archive outbox: every stored version belongs to one archive object from the commit that stored it on,
   * until the object is written to the archive and confirmed.
   */
  readonly outbox: ArchiveOutbox;
  get(key: FindingKey): Promise<FindingWithHistory | undefined>;
  search(request: SearchRequest, options?: ReadOptions): Promise<SearchPage>;
  aggregate(request: AggregationRequest, options?: ReadOptions): Promise<AggregationResult>;
  /**
   * Which of these findings (current versions) a query selects — the same semantics as `search`, used to
   * route freshly stored findings to live streams and alert rules.
   */
  matching(query: QueryNode | BoundQuery, keys: readonly FindingKey[]): Promise<FindingRecord[]>;
  /**
   * Change log entries after `seq`, oldest first, at most `limit`. Entries are written in the same transaction
   * as the versions they record, so a consumer that keeps its own cursor misses nothing across a crash.
   */
  changesSince(seq: number, limit: number): Promise<FindingChange[]>;
  /**
   * Drops log entries up to and including `seq` (call with the slowest consumer's cursor), the oldest first and
   * at most `limit` of them; returns how many were dropped (`limit` means there may be more).
   */
  pruneChanges(upToSeq: number, limit: number): Promise<number>;
  /** The newest `seq` ever written to the log, pruned or not (0 before the first). */
  lastChange(): Promise<number>;
  /**
   * Archives or unarchives a finding in Yagura, recording who and when; false when there is no such finding.
   * A newer GuardDuty version later replaces this state with its own `service.archived` (newer information).
   */
  setArchived(key: FindingKey, archived: boolean, actor: string, at: number): Promise<boolean>;
  /**
   * Removes these findings with every trace the store keeps of them: the current record and every version, the
   * free-text, path/value and remote-party index entries, change log entries, archive actions and outbox entries;
   * with `archive: 'erase'` it queues the archive objects that hold their versions in `archivePurges` (found through
   * the archive index the outbox keeps as objects are confirmed, so the cost follows the removed findings, not the
   * archive's size). Keys not stored are skipped (their archive actions and archived lines are still removed).
   *
   * Works in batches of at most `REMOVE_BATCH` keys, each batch one short transaction committed durably before the
   * next begins (ingest and searches run between batches); a finding is never half removed. A server's in-memory
   * facets forget each batch as it commits. Bytes may remain in the store's files (free pages, the free-text
   * index's deleted entries, the write-ahead log) until `scrub`. Alerting's traces are the alert stores' part
   * (`EvaluationStore.forgetFindings`); `removeFindings` (store/remove-findings.ts) does both.
   */
  remove(keys: readonly FindingKey[], options?: RemoveOptions): Promise<RemovalCounts>;
  /** The archive objects `remove` queued for rewriting. */
  readonly archivePurges: ArchivePurges;
  /**
   * Leaves no copy of removed data in the store's files. SQLite merges the free-text index (dropping deleted entries)
   * in short slices and truncates the write-ahead log; what B-tree rebalancing copied into the unused space of pages
   * before the removal can only go with a rebuild of the file (`VACUUM`, which holds the store for its duration):
   * `compact: true` rebuilds it now (a process that is the store's only user: `yagura erase --data`), otherwise the
   * rebuild is recorded as pending and done by the next writer that opens the store (a server's next start).
   * PostgreSQL has nothing to do here (its dead rows are the database server's to vacuum).
   */
  scrub(options?: { readonly compact?: boolean }): Promise<void>;
  /** Number of findings (current records). */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Keys per transaction of `FindingStore.remove`. */
export const REMOVE_BATCH = 200;

export interface ReadOptions {
  /** Aborted when nobody waits for the answer any more (the client went away): a read not started is dropped. */
  readonly signal?: AbortSignal;
}

/** A search or aggregation dropped before it ran, because its `signal` was aborted. */
export class ReadAbortedError extends Error {
  readonly code = 'CLIENT_CLOSED_REQUEST';

  constructor() {
    super('the client closed the request before it was answered');
  }
}

/** A search or aggregation that ran past the store's time limit; the client should narrow it. */
export class QueryTimeoutError extends Error {
  readonly code = 'QUERY_TIMEOUT';

  constructor(seconds: number) {
    super(`the query ran longer than ${seconds} s and was stopped; narrow the time range or add filters on catalogue fields`);
  }
}
