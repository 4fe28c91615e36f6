// Bulk loading: the secondary indexes searches use are dropped before a large import and built once after it.
import type Database from 'better-sqlite3';

/**
 * Tables whose secondary indexes serve searches and aggregations only; storing a version never looks anything
 * up through them (it finds a finding by its key's UNIQUE index, versions, remote parties and path values by their
 * primary keys, which are kept). Every finding inserted into a large store otherwise writes ~15 random index pages.
 */
const DEFERRABLE_TABLES = ['findings', 'finding_remote_ips', 'finding_paths'] as const;

/** The meta row listing dropped indexes with their definitions, written in the transaction that drops them. */
const META_KEY = 'deferred_indexes';

interface IndexDefinition {
  readonly name: string;
  readonly sql: string;
}

/** Indexes currently deferred (empty when none are). */
export function deferredIndexes(db: Database.Database): IndexDefinition[] {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
  if (!hasMeta) return [];
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(META_KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as IndexDefinition[]) : [];
}

/**
 * Drops the deferrable indexes and records their definitions, atomically. Until `buildDeferredIndexes` runs
 * (or, after a crash, until the next open), searches would scan: only a process holding the data folder's
 * lock for a bulk import may call this. Returns how many indexes were dropped.
 */
export function deferIndexes(db: Database.Database): number {
  return db.transaction(() => {
    const already = deferredIndexes(db);
    const indexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_schema
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${DEFERRABLE_TABLES.map(() => '?').join(', ')})
         ORDER BY name`,
      )
      .all(...DEFERRABLE_TABLES) as IndexDefinition[];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
    db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(META_KEY, JSON.stringify([...already, ...indexes]));
    return indexes.length;
  })();
}

/**
 * Builds every deferred index (each from one sorted pass over its table, far cheaper than as many random
 * inserts) and forgets the list, in one transaction: a crash in between leaves them deferred, to be built at
 * the next open. Returns how many were built.
 */
export function buildDeferredIndexes(db: Database.Database): number {
  return db.transaction(() => {
    const indexes = deferredIndexes(db);
    if (indexes.length === 0) return 0;
    for (const index of indexes) db.exec(index.sql.replace(/^CREATE (UNIQUE )?INDEX /i, 'CREATE $1INDEX IF NOT EXISTS '));
    db.prepare('DELETE FROM meta WHERE key = ?').run(META_KEY);
    return indexes.length;
  })();
}
