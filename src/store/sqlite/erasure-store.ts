// Erasure jobs, the key digests they select and account tombstones in the embedded database.
import type Database from 'better-sqlite3';
import type { ErasureJob } from '../../erasure/erasure-job.js';
import { ERASURE_JOB_COLUMNS, jobValues, toJob, updateColumns, type ErasureJobRow } from '../../erasure/erasure-rows.js';
import type { ErasureStore, ErasureUpdate, Tombstone } from '../../erasure/erasure-store.js';

export const ERASURE_MIGRATION = `
  CREATE TABLE IF NOT EXISTS erasure_jobs (
    id            TEXT PRIMARY KEY,
    status        TEXT    NOT NULL,           -- running | done | failed
    phase         TEXT    NOT NULL,           -- removing | archive | done
    target        TEXT    NOT NULL,           -- JSON ErasureTarget (its query cleared once removing ends)
    reason        TEXT    NOT NULL,
    requested_by  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    keys          INTEGER NOT NULL,
    counts        TEXT    NOT NULL,           -- JSON ErasureCounts
    keys_digest   TEXT,
    error         TEXT
  );
  CREATE INDEX IF NOT EXISTS erasure_jobs_status ON erasure_jobs (status, created_at);
  -- SHA-256 of each key a job selected (findings/key-digest.ts), until its receipt digest is computed.
  CREATE TABLE IF NOT EXISTS erasure_keys (
    job     TEXT NOT NULL,
    digest  BLOB NOT NULL,
    PRIMARY KEY (job, digest)
  ) WITHOUT ROWID;
  -- Accounts whose findings were erased: their findings are refused at ingest.
  CREATE TABLE IF NOT EXISTS erasure_tombstones (
    account_id  TEXT PRIMARY KEY,
    erasure     TEXT    NOT NULL,
    at          INTEGER NOT NULL
  );
`;

export class SqliteErasureStore implements ErasureStore {
  constructor(private readonly db: Database.Database) {}

  async create(job: ErasureJob): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO erasure_jobs (${ERASURE_JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...jobValues(job));
  }

  async get(id: string): Promise<ErasureJob | undefined> {
    const row = this.db.prepare('SELECT * FROM erasure_jobs WHERE id = ?').get(id) as ErasureJobRow | undefined;
    return row && toJob(row);
  }

  async update(id: string, u: ErasureUpdate): Promise<void> {
    const set = updateColumns(u);
    this.db.prepare(`UPDATE erasure_jobs SET ${set.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, value]) => value), id);
  }

  async running(): Promise<ErasureJob[]> {
    return (this.db.prepare(`SELECT * FROM erasure_jobs WHERE status = 'running' ORDER BY created_at, id`).all() as ErasureJobRow[]).map(toJob);
  }

  async addKeys(id: string, digests: readonly Buffer[]): Promise<number> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO erasure_keys (job, digest) VALUES (?, ?)');
    return this.db.transaction(() => {
      for (const d of digests) insert.run(id, d);
      return this.db.prepare('SELECT count(*) FROM erasure_keys WHERE job = ?').pluck().get(id) as number;
    })();
  }

  async keyDigests(id: string): Promise<Buffer[]> {
    // BLOBs compare with memcmp(): ascending byte order.
    return this.db.prepare('SELECT digest FROM erasure_keys WHERE job = ? ORDER BY digest').pluck().all(id) as Buffer[];
  }

  async dropKeys(id: string): Promise<void> {
    this.db.prepare('DELETE FROM erasure_keys WHERE job = ?').run(id);
  }

  async addTombstone(t: Tombstone): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO erasure_tombstones (account_id, erasure, at) VALUES (?, ?, ?)').run(t.accountId, t.erasure, t.at);
  }

  async tombstones(): Promise<Tombstone[]> {
    return (this.db.prepare('SELECT account_id, erasure, at FROM erasure_tombstones ORDER BY account_id').all() as Array<{ account_id: string; erasure: string; at: number }>).map((r) => ({
      accountId: r.account_id,
      erasure: r.erasure,
      at: r.at,
    }));
  }
}
