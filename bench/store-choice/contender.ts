// What each embedded store must do for the store-choice benchmark: the operations Yagura's hot paths need.
import type { Finding, FindingKey } from '../../src/findings/finding.js';

/** A filtered, sorted top-50 search, said once for each engine. */
export interface SearchSpec {
  readonly name: string;
  /** KQL for the SQLite store (compiled by Yagura's own query compiler). */
  readonly kql: string;
  /** The same filter as a DuckDB WHERE fragment over the contender's table. */
  readonly duckdbWhere: string;
  readonly fromMs?: number;
}

export interface Contender {
  readonly name: string;
  /** Stores a batch in one durable transaction with Yagura's version rules (new, newer, older, duplicate). */
  upsert(findings: readonly Finding[], receivedAt: number): Promise<void>;
  /** One finding, the way a single-event POST stores it. */
  upsertOne(finding: Finding, receivedAt: number): Promise<void>;
  /** The current version and its history; undefined when unknown. */
  get(key: FindingKey): Promise<{ hash: string; history: number } | undefined>;
  search(spec: SearchSpec): Promise<{ total: number; rows: number }>;
  /** The 8 overview aggregations over findings updated since `fromMs`; returns the band counts. */
  overview(fromMs: number): Promise<{ total: number; bands: Record<string, number> }>;
  /** Current findings and stored versions. */
  counts(): Promise<{ findings: number; versions: number }>;
  diskBytes(): Promise<number>;
  close(): Promise<void>;
}
