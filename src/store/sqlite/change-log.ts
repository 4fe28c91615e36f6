// The durable change log: one row per stored new or updated version, read by consumers such as alerting.
import type Database from 'better-sqlite3';
import { bandFromRank } from '../../findings/severity.js';
import type { FindingChange } from '../finding-store.js';
import { RECORD_COLUMNS, toRecord, type RecordRow } from './rows.js';

/** Migration that adds the change log; written in the same transaction as the versions it records. */
export const CHANGE_LOG_MIGRATION = `
  -- Every new or updated current version, in commit order; consumers keep their own cursor on seq.
  CREATE TABLE finding_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused, even after pruning empties the log
    finding     INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,            -- created | updated
    band        INTEGER NOT NULL,
    prev_band   INTEGER,                     -- band of the version this one replaced
    count       INTEGER NOT NULL,
    prev_count  INTEGER,
    at          INTEGER NOT NULL             -- epoch ms when Yagura stored the version
  );
`;

interface ChangeRow extends RecordRow {
  seq: number;
  hash: string;
  outcome: 'created' | 'updated';
  change_band: number;
  prev_band: number | null;
  change_count: number;
  prev_count: number | null;
  at: number;
}

export interface ChangeLog {
  record(entry: { finding: number; hash: string; outcome: 'created' | 'updated'; band: number; prevBand?: number; count: number; prevCount?: number; at: number }): void;
  since(seq: number, limit: number): FindingChange[];
  prune(upToSeq: number, limit: number): number;
  last(): number;
}

export function buildChangeLog(db: Database.Database): ChangeLog {
  const insert = db.prepare(
    'INSERT INTO finding_changes (finding, hash, outcome, band, prev_band, count, prev_count, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // A change whose finding row is gone (never happens today: findings are not deleted) is skipped by the join.
  const select = db.prepare<[number, number], ChangeRow>(
    `SELECT c.seq, c.hash, c.outcome, c.band AS change_band, c.prev_band, c.count AS change_count, c.prev_count, c.at, ${RECORD_COLUMNS}
     FROM finding_changes c JOIN findings f ON f.rowid = c.finding WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
  );
  const prune = db.prepare('DELETE FROM finding_changes WHERE seq IN (SELECT seq FROM finding_changes WHERE seq <= ? ORDER BY seq LIMIT ?)');
  // AUTOINCREMENT keeps the last assigned number here, so it survives pruning the log empty.
  const last = db.prepare<[], { seq: number | null }>(`SELECT seq FROM sqlite_sequence WHERE name = 'finding_changes'`);
  return {
    record(e): void {
      insert.run(e.finding, e.hash, e.outcome, e.band, e.prevBand ?? null, e.count, e.prevCount ?? null, e.at);
    },
    since(seq, limit): FindingChange[] {
      return select.all(seq, limit).map((r) => ({
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
    },
    prune(upToSeq, limit): number {
      return prune.run(upToSeq, limit).changes;
    },
    last(): number {
      return last.get()?.seq ?? 0;
    },
  };
}
