// Removing findings from the embedded store with every trace of them, and scrubbing their bytes from its files.
import type Database from 'better-sqlite3';
import type { FindingKey } from '../../findings/finding.js';
import { shortKeyDigest } from '../../findings/key-digest.js';
import { noRemovals, type RemovalCounts, type RemoveOptions } from '../finding-store.js';

/** One batch's removal, inside the caller's transaction; returns its counts and the row ids removed. */
export type BatchRemover = (keys: readonly FindingKey[], options: RemoveOptions) => { counts: RemovalCounts; rowids: number[] };

export function buildRemover(db: Database.Database): BatchRemover {
  const find = db.prepare<[string, string, string], { rowid: number }>('SELECT rowid FROM findings WHERE account_id = ? AND region = ? AND id = ?');
  const text = db.prepare('DELETE FROM findings_text WHERE rowid = ?');
  const paths = db.prepare('DELETE FROM finding_paths WHERE finding = ?');
  const parties = db.prepare('DELETE FROM finding_remote_ips WHERE finding = ?');
  const versions = db.prepare('DELETE FROM finding_versions WHERE finding = ?');
  const changes = db.prepare('DELETE FROM finding_changes WHERE finding = ?');
  const finding = db.prepare('DELETE FROM findings WHERE rowid = ?');
  const actions = db.prepare('DELETE FROM finding_archive_actions WHERE account_id = ? AND region = ? AND id = ?');
  // Objects not yet confirmed: the archiver writes them from the outbox later, without these lines; a purge is
  // queued anyway, in case a write of the object read its lines before this commit.
  const purgeUnwritten = db.prepare(
    `INSERT OR IGNORE INTO archive_purges (account_id, region, day, name, key)
     SELECT DISTINCT a.account_id, a.region, a.day, a.name, ? FROM archive_outbox o JOIN archive_objects a ON a.id = o.object WHERE o.finding = ?`,
  );
  const outbox = db.prepare('DELETE FROM archive_outbox WHERE finding = ?');
  const purgeWritten = db.prepare(
    `INSERT OR IGNORE INTO archive_purges (account_id, region, day, name, key)
     SELECT w.account_id, w.region, w.day, w.name, i.key FROM archive_index i JOIN archive_written w ON w.id = i.object WHERE i.key = ?`,
  );
  const unindex = db.prepare('DELETE FROM archive_index WHERE key = ?');
  return (keys, options) => {
    const erase = options.archive !== 'keep';
    const counts = noRemovals();
    const rowids: number[] = [];
    for (const key of keys) {
      const digest = shortKeyDigest(key);
      counts.archiveActions += actions.run(key.accountId, key.region, key.id).changes;
      if (erase) {
        counts.archiveObjects += purgeWritten.run(digest).changes;
        unindex.run(digest);
      }
      const row = find.get(key.accountId, key.region, key.id);
      if (row === undefined) continue;
      if (erase) counts.archiveObjects += purgeUnwritten.run(digest, row.rowid).changes;
      counts.outbox += outbox.run(row.rowid).changes;
      counts.freeText += text.run(row.rowid).changes;
      counts.documentValues += paths.run(row.rowid).changes;
      counts.remoteParties += parties.run(row.rowid).changes;
      counts.versions += versions.run(row.rowid).changes;
      counts.changes += changes.run(row.rowid).changes;
      counts.findings += finding.run(row.rowid).changes;
      rowids.push(row.rowid);
    }
    return { counts, rowids };
  };
}

/** Pages of merge work per slice of a scrub: a few milliseconds, as the server's own merges (text-merges.ts). */
const SCRUB_PAGES = 16;

/**
 * Merges the whole free-text index, a slice at a time (`merge` with a negative page count merges every segment,
 * whatever its level), so that the entries of deleted rows are dropped: the index is contentless (`content = ''`),
 * so a delete only records a tombstone and FTS5's own `secure-delete` cannot find the deleted row's terms. Each
 * slice is its own short transaction; the caller's event loop turns between them.
 */
export async function mergeTextIndex(db: Database.Database): Promise<number> {
  const merge = db.prepare(`INSERT INTO findings_text (findings_text, rank) VALUES ('merge', -${SCRUB_PAGES})`);
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  let slices = 0;
  for (;;) {
    const before = totalChanges.get() as number;
    db.transaction(() => merge.run())();
    slices++;
    // The command itself counts one change; FTS5's writes count the rest.
    if ((totalChanges.get() as number) - before <= 1) return slices;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Copies every page into the database file and empties the write-ahead log, so no frame written before the
 * removal (holding removed rows) is left in it. Readers that hold an older snapshot block the truncation: it is
 * tried again, a few times, over about five seconds.
 */
export async function truncateWal(db: Database.Database): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (result === undefined || result.busy === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const COMPACTION_PENDING = 'erasure:compaction-pending';

/** Records that the file must be rebuilt to drop stale copies of removed rows (done at the next writer's open). */
export function markCompactionPending(db: Database.Database): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(COMPACTION_PENDING, String(Date.now()));
}

/**
 * Rebuilds the database file (`VACUUM`): every page is written anew, so nothing of a removed row survives in the unused
 * space of a page that B-tree rebalancing copied cells out of (`secure_delete` zeroes deleted cells and free pages,
 * not those copies). Holds the store for its duration (about as long as copying the file).
 */
export function compactStore(db: Database.Database): void {
  db.exec('VACUUM');
  db.prepare('DELETE FROM meta WHERE key = ?').run(COMPACTION_PENDING);
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Compacts the store when an erasure left a compaction pending; says so on stderr (it takes a while on a large store). */
export function compactIfPending(db: Database.Database): boolean {
  const pending = db.prepare('SELECT 1 FROM meta WHERE key = ?').pluck().get(COMPACTION_PENDING);
  if (pending === undefined) return false;
  const started = performance.now();
  process.stderr.write('yagura: rebuilding the database file after an erasure, so that no copy of erased findings is left in it\n');
  compactStore(db);
  process.stderr.write(`yagura: rebuilt the database file in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}
