// The archive index of the embedded store: which written archive object holds lines of which finding (by key
// digest), kept as objects are confirmed, and the rewrites an erasure queues from it.
import type Database from 'better-sqlite3';
import { shortKeyDigest } from '../../findings/key-digest.js';
import type { ArchivePurge, ArchivePurges } from '../finding-store.js';

/** Migration that adds the archive index and the queue of archive rewrites. */
export const ARCHIVE_INDEX_MIGRATION = `
  -- Archive objects written and confirmed (the outbox forgets them once confirmed).
  CREATE TABLE IF NOT EXISTS archive_written (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    day         TEXT NOT NULL,
    name        TEXT NOT NULL,
    UNIQUE (account_id, region, day, name)
  );
  -- Which written object holds lines of which finding: the first 16 bytes of the key's SHA-256 (findings/key-digest.ts).
  CREATE TABLE IF NOT EXISTS archive_index (
    key     BLOB    NOT NULL,
    object  INTEGER NOT NULL,
    PRIMARY KEY (key, object)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS archive_index_object ON archive_index (object);
  -- Objects to rewrite without the lines of these keys (queued by an erasure, in the transaction that removes them).
  CREATE TABLE IF NOT EXISTS archive_purges (
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    day         TEXT NOT NULL,
    name        TEXT NOT NULL,
    key         BLOB NOT NULL,
    PRIMARY KEY (account_id, region, day, name, key)
  ) WITHOUT ROWID;
`;

/** Records, inside the confirming transaction, which findings' lines a confirmed outbox object holds. */
export function buildArchiveIndexWriter(db: Database.Database): (objectId: number) => void {
  const object = db.prepare<[number], { account_id: string; region: string; day: string; name: string }>(
    'SELECT account_id, region, day, name FROM archive_objects WHERE id = ?',
  );
  const written = db.prepare(
    `INSERT INTO archive_written (account_id, region, day, name) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id, region, day, name) DO UPDATE SET name = excluded.name RETURNING id`,
  ).pluck();
  // A version removed since has no finding row here, and no line in the object.
  const keys = db.prepare<[number], { account_id: string; region: string; id: string }>(
    `SELECT DISTINCT f.account_id, f.region, f.id FROM archive_outbox o JOIN findings f ON f.rowid = o.finding
     JOIN finding_versions v ON v.finding = o.finding AND v.hash = o.hash WHERE o.object = ?`,
  );
  const insert = db.prepare('INSERT OR IGNORE INTO archive_index (key, object) VALUES (?, ?)');
  return (objectId) => {
    const o = object.get(objectId);
    if (o === undefined) return;
    const id = written.get(o.account_id, o.region, o.day, o.name) as number;
    for (const k of keys.all(objectId)) insert.run(shortKeyDigest({ accountId: k.account_id, region: k.region, id: k.id }), id);
  };
}

interface PurgeRow {
  account_id: string;
  region: string;
  day: string;
  name: string;
  key: Buffer;
  in_outbox: number;
}

export function sqliteArchivePurges(db: Database.Database): ArchivePurges {
  const objects = db.prepare<[number], Omit<PurgeRow, 'key'>>(
    `SELECT * FROM (SELECT p.account_id, p.region, p.day, p.name,
       EXISTS (SELECT 1 FROM archive_objects a WHERE a.account_id = p.account_id AND a.region = p.region AND a.day = p.day AND a.name = p.name) AS in_outbox
     FROM (SELECT DISTINCT account_id, region, day, name FROM archive_purges) p)
     ORDER BY in_outbox, account_id, region, day, name LIMIT ?`,
  );
  const keys = db.prepare<[string, string, string, string], { key: Buffer }>(
    'SELECT key FROM archive_purges WHERE account_id = ? AND region = ? AND day = ? AND name = ?',
  );
  const drop = db.prepare('DELETE FROM archive_purges WHERE account_id = ? AND region = ? AND day = ? AND name = ? AND key = ?');
  return {
    async pending(limit): Promise<ArchivePurge[]> {
      return objects.all(limit).map((o) => ({
        accountId: o.account_id,
        region: o.region,
        day: o.day,
        name: o.name,
        inOutbox: o.in_outbox === 1,
        keys: keys.all(o.account_id, o.region, o.day, o.name).map((k) => k.key),
      }));
    },
    async done(purge): Promise<void> {
      db.transaction(() => {
        for (const key of purge.keys) drop.run(purge.accountId, purge.region, purge.day, purge.name, key);
      })();
    },
  };
}
