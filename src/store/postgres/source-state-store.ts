// What collectors keep in PostgreSQL: export objects read (their checkpoints) and parked queue messages.
import type { ObjectMark, ParkedMessage, SourceStateStore } from '../../ingest/source-state-store.js';
import type { PgDatabase } from './database.js';

export const SOURCE_STATE_TABLES: readonly string[] = [
  `CREATE TABLE source_objects (
    source     text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    partition  text COLLATE "C" NOT NULL,       -- ACCOUNT/REGION
    day        text COLLATE "C" NOT NULL,       -- YYYY/MM/DD
    etag       text NOT NULL,
    outcome    text NOT NULL,                   -- stored, or the error code it was refused with
    at         bigint NOT NULL,
    PRIMARY KEY (source, key)
  )`,
  'CREATE INDEX source_objects_day ON source_objects (source, partition, day)',
  `CREATE TABLE source_parked (
    source      text COLLATE "C" NOT NULL,
    message_id  text COLLATE "C" NOT NULL,
    body        text NOT NULL,
    code        text NOT NULL,
    reason      text NOT NULL,
    at          bigint NOT NULL,
    PRIMARY KEY (source, message_id)
  )`,
  'CREATE INDEX source_parked_at ON source_parked (source, at)',
];

export class PostgresSourceStateStore implements SourceStateStore {
  constructor(private readonly db: PgDatabase) {}

  async checkpoints(source: string): Promise<ReadonlyMap<string, string>> {
    const rows = await this.db.rows<{ partition: string; day: string }>('SELECT partition, max(day) AS day FROM source_objects WHERE source = $1 GROUP BY partition', [source]);
    return new Map(rows.map((r) => [r.partition, r.day]));
  }

  async marked(source: string, partition: string, fromDay: string): Promise<ReadonlyMap<string, string>> {
    const rows = await this.db.rows<{ key: string; etag: string }>('SELECT key, etag FROM source_objects WHERE source = $1 AND partition = $2 AND day >= $3', [source, partition, fromDay]);
    return new Map(rows.map((r) => [r.key, r.etag]));
  }

  async mark(source: string, o: ObjectMark, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO source_objects (source, key, partition, day, etag, outcome, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source, key) DO UPDATE SET etag = excluded.etag, outcome = excluded.outcome, at = excluded.at`,
      [source, o.key, o.partition, o.day, o.etag, o.outcome, now],
    );
  }

  async prune(source: string, partition: string, beforeDay: string): Promise<number> {
    return this.db.run('DELETE FROM source_objects WHERE source = $1 AND partition = $2 AND day < $3', [source, partition, beforeDay]);
  }

  async park(source: string, m: ParkedMessage): Promise<void> {
    await this.db.run(
      `INSERT INTO source_parked (source, message_id, body, code, reason, at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (source, message_id) DO UPDATE SET body = excluded.body, code = excluded.code, reason = excluded.reason, at = excluded.at`,
      [source, m.messageId, m.body, m.code, m.reason, m.at],
    );
  }

  async parked(source: string, limit: number): Promise<readonly ParkedMessage[]> {
    const rows = await this.db.rows<{ messageId: string; body: string; code: string; reason: string; at: string }>(
      'SELECT message_id AS "messageId", body, code, reason, at FROM source_parked WHERE source = $1 ORDER BY at DESC, message_id LIMIT $2',
      [source, limit],
    );
    return rows.map((r) => ({ ...r, at: Number(r.at) }));
  }
}
