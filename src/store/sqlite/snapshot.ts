// A consistent copy of the embedded store while a server keeps writing it (`yagura backup`), and the facts a backup's
// manifest records and a restore checks. SQLite's online backup API copies the pages of one read snapshot: the
// source connection holds a read transaction through every step, so commits made meanwhile (by the server, on its
// own connection) stay in the WAL for later readers and neither show up in the copy nor restart it.
import { chmod } from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { StoreSnapshot, SnapshotContents } from '../backup/store-snapshot.js';

/** Pages copied per step (4 KiB pages: 64 MiB). Each step runs on this process's event loop, which a CLI verb owns. */
const PAGES_PER_STEP = 16_384;

function contentsOf(db: Database.Database): SnapshotContents {
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  return {
    findings: count('SELECT count(*) AS n FROM findings'),
    versions: count('SELECT count(*) AS n FROM finding_versions'),
    auditEntries: count('SELECT count(*) AS n FROM audit_log'),
  };
}

/**
 * Copies the database `source` into the new file `destination` as of one instant, without taking the data folder's
 * lock and without writing to the source. `onPages` reports the copy's progress.
 */
export async function snapshotSqlite(source: string, destination: string, onPages?: (copied: number, total: number) => void): Promise<StoreSnapshot> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  let takenAt: number;
  let contents: SnapshotContents;
  let outboxKeys: StoreSnapshot['outbox'];
  try {
    db.pragma('busy_timeout = 5000');
    // The snapshot's instant: the read transaction starts at the first read and holds until the end.
    db.exec('BEGIN');
    const schema = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
    takenAt = Date.now();
    if (schema.n === 0) throw new Error(`${source} holds no Yagura store`);
    // Objects still in the outbox are written again, from these rows, by the first start of a restored store.
    outboxKeys = (db.prepare('SELECT account_id, region, day, name FROM archive_objects').all() as Array<{ account_id: string; region: string; day: string; name: string }>).map(
      (r) => ({ accountId: r.account_id, region: r.region, day: r.day, name: r.name }),
    );
    contents = contentsOf(db);
    await db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onPages?.(totalPages - remainingPages, totalPages);
        return PAGES_PER_STEP;
      },
    });
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  // The copy carries the source's WAL mode in its header; as one self-contained file it needs none (a server opening
  // it sets WAL again), and reading it back then leaves no -wal or -shm beside it.
  const copy = new Database(destination, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  await chmod(destination, 0o600);
  return { takenAt, contents, outbox: outboxKeys };
}

/** What a copied store file holds. */
export function countSqlite(file: string): SnapshotContents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return contentsOf(db);
  } finally {
    db.close();
  }
}

/**
 * What a copied store file holds, after SQLite's `quick_check` (every page and index entry readable and in order):
 * throws when the file is not a sound database.
 */
export function inspectSqlite(file: string): SnapshotContents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = db.pragma('quick_check', { simple: false }) as Array<{ quick_check: string }>;
    if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
      throw new Error(`the store file ${file} fails SQLite's quick_check: ${problems.slice(0, 3).map((p) => p.quick_check).join('; ')}`);
    }
    return contentsOf(db);
  } finally {
    db.close();
  }
}
