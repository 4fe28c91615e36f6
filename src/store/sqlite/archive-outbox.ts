// The archive outbox of the embedded store: objects open or sealed, their versions' lines, and their confirmation.
import type Database from 'better-sqlite3';
import type { ArchiveOutbox, OutboxObject } from '../finding-store.js';
import { outboxObjectOf, SELECT_OUTBOX_OBJECTS, type OutboxObjectRow } from '../outbox-rows.js';
import { relaxed } from './relaxed.js';
import { buildArchiveIndexWriter } from './archive-index.js';

/**
 * Outbox entries per page of an object's lines: each page is read by one statement and becomes one gzip member,
 * so that reading a large object leaves the event loop turns between pages and only a page is held in memory.
 * Pages are cut by entries, not bytes, so the same object always gives the same pages.
 */
const PAGE_LINES = 2000;

/** `syncWal` makes every commit so far durable (an fsync of the WAL), without holding the event loop. */
export function sqliteOutbox(db: Database.Database, syncWal: () => Promise<void>): ArchiveOutbox {
  const list = db.prepare<[], OutboxObjectRow>(SELECT_OUTBOX_OBJECTS);
  const seal = db.prepare('UPDATE archive_objects SET sealed_at = ? WHERE id = ? AND sealed_at IS NULL');
  // The document of each version as bytes, in commit order: the same bytes every time, so rewriting an object
  // after a crash gives an identical object. A version erased since has no document and is left out.
  const page = db.prepare<[number, number, number], { seq: number; doc: Buffer | null }>(
    `SELECT o.seq, CAST(v.doc AS BLOB) AS doc FROM archive_outbox o
     LEFT JOIN finding_versions v ON v.finding = o.finding AND v.hash = o.hash
     WHERE o.object = ? AND o.seq > ? ORDER BY o.seq LIMIT ?`,
  );
  const dropEntries = db.prepare('DELETE FROM archive_outbox WHERE object = ?');
  const dropObject = db.prepare('DELETE FROM archive_objects WHERE id = ?');
  const index = buildArchiveIndexWriter(db);
  return {
    async objects(): Promise<OutboxObject[]> {
      return list.all().map(outboxObjectOf);
    },

    async seal(ids: readonly number[], at: number): Promise<void> {
      if (ids.length === 0) return;
      // Committed without its own fsync, then made durable with every commit before it (the versions that
      // joined these objects): the object is written to the archive only once its lines cannot be lost.
      relaxed(db, () => {
        for (const id of ids) seal.run(at, id);
      });
      await syncWal();
    },

    async *lines(object: OutboxObject): AsyncIterable<Buffer[]> {
      for (let after = 0; ; ) {
        const rows = page.all(object.id, after, PAGE_LINES);
        yield rows.flatMap((r) => (r.doc === null ? [] : [r.doc]));
        if (rows.length < PAGE_LINES) return;
        after = rows[rows.length - 1]!.seq;
      }
    },

    async confirm(ids: readonly number[]): Promise<void> {
      // Losing this commit in a power cut only means writing identical objects again on the next start (and
      // indexing them again).
      relaxed(db, () => {
        for (const id of ids) {
          index(id);
          dropEntries.run(id);
          dropObject.run(id);
        }
      });
    },
  };
}
