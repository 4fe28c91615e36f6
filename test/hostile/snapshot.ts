// What "nothing changed" means for a data folder: every table row, the schema, and every file byte.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';

export interface StoreSnapshot {
  /** SQL of every schema object. */
  readonly schema: readonly string[];
  /** Table name → digest of all its rows (FTS5 shadow tables included, so the text index counts too). */
  readonly tables: Readonly<Record<string, string>>;
  /** Path below the root → size and digest of the file, `dir`, or `link → target`. Database files only by name. */
  readonly files: Readonly<Record<string, string>>;
}

const digest = (text: string | Buffer): string => createHash('sha256').update(text).digest('base64url');

/** SQLite's own files change on reads (WAL index); their content is covered by the table digests. */
const DATABASE_FILE = /^yagura\.db(-wal|-shm|-journal)?$/;

/** A row as text; blobs (the FTS5 index) by digest, which is much cheaper than JSON of their bytes. */
function rowText(row: readonly unknown[]): string {
  return row.map((v) => (Buffer.isBuffer(v) ? `blob:${digest(v)}` : JSON.stringify(v))).join('\u0001');
}

/**
 * Tables a refused request is meant to change: the audit log records every call, refusals included (its own tests
 * check what each entry says). Everything else must be as it was.
 */
const RECORDS_REFUSALS = new Set(['audit_log']);

function tableDigests(db: Database.Database): { schema: string[]; tables: Record<string, string> } {
  const objects = db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all() as Array<{ type: string; name: string; sql: string | null }>;
  const tables: Record<string, string> = {};
  for (const o of objects) {
    if (o.type !== 'table' || o.sql?.startsWith('CREATE VIRTUAL') === true || RECORDS_REFUSALS.has(o.name)) continue;
    const rows = (db.prepare(`SELECT * FROM "${o.name.replaceAll('"', '""')}"`).raw().all() as unknown[][]).map(rowText).sort();
    tables[o.name] = `${rows.length}:${digest(rows.join('\n'))}`;
  }
  return { schema: objects.map((o) => `${o.type} ${o.name}: ${o.sql ?? ''}`), tables };
}

async function fileDigests(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const visit = async (dir: string): Promise<void> => {
    const names = await readdir(dir);
    await Promise.all(names.map(async (name) => {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const info = await lstat(full);
      if (info.isSymbolicLink()) files[rel] = `link → ${await readlink(full)}`;
      else if (info.isDirectory()) {
        files[rel] = 'dir';
        await visit(full);
      } else if (DATABASE_FILE.test(name)) files[rel] = 'database file';
      else files[rel] = `${info.size}:${digest(await readFile(full))}`;
    }));
  };
  await visit(root);
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Everything stored under `root` (data folder and archive) and in `db`. */
export async function snapshotStore(db: Database.Database, root: string): Promise<StoreSnapshot> {
  return { ...tableDigests(db), files: await fileDigests(root) };
}

/** Own property names of the prototypes a polluting payload would reach. */
export function prototypeShape(): Record<string, string[]> {
  return {
    Object: Object.getOwnPropertyNames(Object.prototype).sort(),
    Array: Object.getOwnPropertyNames(Array.prototype).sort(),
    Function: Object.getOwnPropertyNames(Function.prototype).sort(),
    String: Object.getOwnPropertyNames(String.prototype).sort(),
  };
}
