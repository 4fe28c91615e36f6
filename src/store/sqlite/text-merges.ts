// When FTS5 merges the free-text index's segments: in small slices between commits (a server), or inside the
// commits that write them (SQLite's default, for imports and CLI verbs).
import type Database from 'better-sqlite3';
import { relaxed } from './relaxed.js';

/**
 * Pages of merge work per slice: a few milliseconds at most. FTS5 by default merges inside the commits that add
 * segments, up to 64 pages of work per level of the index every 64 pages written: a commit of a single finding
 * into a store of 1M findings then took 30–75 ms every few hundred milliseconds (measured), on the event loop.
 */
const PAGES_PER_SLICE = 16;
/** FTS5's own default for `automerge`: merge once a level holds this many segments. */
const DEFAULT_AUTOMERGE = 4;

/**
 * Bytes of new free text FTS5 holds in memory before it writes them out as a segment (its `hashsize`). FTS5's
 * default, 1 MiB, cut an import's 25,000-finding commit into a dozen segments, each one more to merge; with 64 MiB
 * a commit writes one (277k-version import: 2.4 instead of 3.7 GB read back by merges, 4,706–4,772 against
 * 4,239–4,435 versions/s). The text is held only until its commit, and a commit holds at most 50,000 findings.
 */
const PENDING_TEXT_BYTES = 64 * 1024 * 1024;

function setConfig(db: Database.Database, key: 'automerge' | 'hashsize', value: number, fallback: number): void {
  const row = db.prepare('SELECT v FROM findings_text_config WHERE k = ?').get(key) as { v: number } | undefined;
  if ((row?.v ?? fallback) === value) return;
  // FTS5 takes integers only, and a bound JS number arrives as a real: the (constant) value is written inline.
  db.exec(`INSERT INTO findings_text (findings_text, rank) VALUES ('${key}', ${Math.trunc(value)})`);
}

function setAutomerge(db: Database.Database, value: number): void {
  setConfig(db, 'automerge', value, DEFAULT_AUTOMERGE);
}

/** Lets a commit's new free text reach the index as one segment (see `PENDING_TEXT_BYTES`); for every writer. */
export function holdPendingText(db: Database.Database): void {
  setConfig(db, 'hashsize', PENDING_TEXT_BYTES, 1024 * 1024);
}

/**
 * Share of each interval that slices may take, back to back, while they find work. A burst of batch commits adds
 * segments faster than one slice per interval merges them; once a level holds 16, FTS5 merges them all inside the
 * next commit (its crisis merge). In the benchmark, a single finding's commit right after the batch phase took
 * 529 ms so, and every request waited behind it on the event loop.
 */
const CATCH_UP_SHARE = 0.25;

/**
 * Turns FTS5's merges inside commits off and merges in slices instead; returns the function that stops it. Every
 * `intervalMs` slices run one after another, requests let in between, until one finds no level with four or more
 * segments or a quarter of the interval has passed. Slices commit without an fsync: a merge lost in a power cut
 * only leaves segments unmerged, and the next commit's fsync covers it.
 */
export function startTextMerges(db: Database.Database, intervalMs = 100): () => void {
  setAutomerge(db, 0);
  const merge = db.prepare(`INSERT INTO findings_text (findings_text, rank) VALUES ('merge', ${PAGES_PER_SLICE})`);
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  /** One slice; true when it merged something (the command alone counts one change, FTS5's writes the rest). */
  const slice = (): boolean => {
    const before = totalChanges.get() as number;
    relaxed(db, () => merge.run());
    return (totalChanges.get() as number) - before > 1;
  };
  let stopped = false;
  let running = false;
  const catchUp = async (): Promise<void> => {
    if (running) return;
    running = true;
    const until = performance.now() + intervalMs * CATCH_UP_SHARE;
    try {
      while (!stopped && db.open && slice() && performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
    } catch {
      // The next interval tries again; nothing stored depends on a merge.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void catchUp(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Leaves merging to FTS5 inside commits again (a store a server left with merges in slices). */
export function inlineTextMerges(db: Database.Database): void {
  setAutomerge(db, DEFAULT_AUTOMERGE);
}
