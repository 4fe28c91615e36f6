// Write transactions that need not wait for their own fsync.
import type Database from 'better-sqlite3';

/**
 * Runs `run` in a write transaction committed with `synchronous = NORMAL`: the WAL is written but not fsynced, so
 * the event loop does not wait for the disk. A power cut can lose such a transaction (whole, never part of it)
 * until the next FULL commit or checkpoint makes it durable: only for writes whose loss is harmless or repaired
 * (derived state, clean-ups, rows a replay writes again).
 */
export function relaxed<T>(db: Database.Database, run: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return db.transaction(run)();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
