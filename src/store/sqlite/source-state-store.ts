// What collectors keep in the embedded store: export objects read (their checkpoints) and parked queue messages.
import type Database from 'better-sqlite3';
import type { ObjectMark, ParkedMessage, SourceStateStore } from '../../ingest/source-state-store.js';

/** Written so that a store rewound to an older version by tests (or a downgrade and upgrade) migrates again. */
export const SOURCE_STATE_MIGRATION = `
  -- Export objects a listing collector has read (or refused for good), per source; the newest day per partition
  -- is where its next listing resumes.
  CREATE TABLE IF NOT EXISTS source_objects (
    source     TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    partition  TEXT    NOT NULL,   -- ACCOUNT/REGION
    day        TEXT    NOT NULL,   -- YYYY/MM/DD
    etag       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,   -- stored, or the error code it was refused with
    at         INTEGER NOT NULL,
    PRIMARY KEY (source, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS source_objects_day ON source_objects (source, partition, day);
  -- Queue messages a collector could not use, with the reason.
  CREATE TABLE IF NOT EXISTS source_parked (
    source      TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (source, message_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS source_parked_at ON source_parked (source, at);
`;

export class SqliteSourceStateStore implements SourceStateStore {
  constructor(private readonly db: Database.Database) {}

  async checkpoints(source: string): Promise<ReadonlyMap<string, string>> {
    const rows = this.db.prepare('SELECT partition, max(day) AS day FROM source_objects WHERE source = ? GROUP BY partition').all(source) as Array<{ partition: string; day: string }>;
    return new Map(rows.map((r) => [r.partition, r.day]));
  }

  async marked(source: string, partition: string, fromDay: string): Promise<ReadonlyMap<string, string>> {
    const rows = this.db.prepare('SELECT key, etag FROM source_objects WHERE source = ? AND partition = ? AND day >= ?').all(source, partition, fromDay) as Array<{ key: string; etag: string }>;
    return new Map(rows.map((r) => [r.key, r.etag]));
  }

  async mark(source: string, o: ObjectMark, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO source_objects (source, key, partition, day, etag, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, key) DO UPDATE SET etag = excluded.etag, outcome = excluded.outcome, at = excluded.at`,
      )
      .run(source, o.key, o.partition, o.day, o.etag, o.outcome, now);
  }

  async prune(source: string, partition: string, beforeDay: string): Promise<number> {
    return this.db.prepare('DELETE FROM source_objects WHERE source = ? AND partition = ? AND day < ?').run(source, partition, beforeDay).changes;
  }

  async park(source: string, m: ParkedMessage): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO source_parked (source, message_id, body, code, reason, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, message_id) DO UPDATE SET body = excluded.body, code = excluded.code, reason = excluded.reason, at = excluded.at`,
      )
      .run(source, m.messageId, m.body, m.code, m.reason, m.at);
  }

  async parked(source: string, limit: number): Promise<readonly ParkedMessage[]> {
    return this.db
      .prepare('SELECT message_id AS messageId, body, code, reason, at FROM source_parked WHERE source = ? ORDER BY at DESC, message_id LIMIT ?')
      .all(source, limit) as ParkedMessage[];
  }
}
