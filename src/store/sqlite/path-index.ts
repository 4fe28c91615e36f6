// The path/value index: the values of each current finding under the indexed document paths (path-values.ts), so a
// query on one of those paths reads an index instead of parsing every candidate document with json_tree.
import type Database from 'better-sqlite3';
import type { PathValue } from '../../findings/path-values.js';
import { pathValues } from '../../findings/path-values.js';
import type { CompareOp, DocumentTest } from '../../query/bound.js';
import type { TimeInterval } from '../../query/time-range.js';
import { globPattern } from './glob-pattern.js';

/**
 * `value` has no declared type, so SQLite keeps each value's own storage class and never converts between them:
 * text is TEXT, numbers INTEGER or REAL, and JSON booleans and objects are one-byte BLOBs. A text `"5"` then never
 * equals a number 5, as in json_tree, and every class has its own range of the index (numbers < text < blobs).
 */
export const PATH_INDEX_MIGRATION = `
  -- Values of the current version under the indexed document paths (src/findings/path-values.ts).
  CREATE TABLE finding_paths (
    finding  INTEGER NOT NULL REFERENCES findings (rowid) ON DELETE CASCADE,
    path     INTEGER NOT NULL,
    value    NOT NULL,
    PRIMARY KEY (finding, path, value)
  ) WITHOUT ROWID;
  CREATE INDEX finding_paths_value ON finding_paths (path, value);
`;

const TRUE = Buffer.from('t');
const FALSE = Buffer.from('f');
const OBJECT = Buffer.from('o');

/** How a value is bound into `finding_paths.value`. */
function stored(value: PathValue[1]): string | number | Buffer {
  if (value === null) return OBJECT;
  if (typeof value === 'boolean') return value ? TRUE : FALSE;
  return value;
}

/** Statements that replace a finding's rows, built once per connection. */
export function buildPathWriter(db: Database.Database): { write(finding: number, values: readonly PathValue[]): void; clear(finding: number): void } {
  const insert = db.prepare('INSERT OR IGNORE INTO finding_paths (finding, path, value) VALUES (?, ?, ?)');
  const clear = db.prepare('DELETE FROM finding_paths WHERE finding = ?');
  return {
    write(finding, values): void {
      for (const [path, value] of values) insert.run(finding, path, stored(value));
    },
    clear(finding): void {
      clear.run(finding);
    },
  };
}

/** Findings per slice when indexing an existing store. */
const BACKFILL_SLICE = 5_000;

/**
 * Indexes the paths of every finding already stored (the migration that adds the table, on a store that has
 * findings): each current document is parsed once. Says so on stderr, as it takes minutes at a million findings.
 */
export function backfillPathIndex(db: Database.Database): void {
  const total = (db.prepare('SELECT count(*) FROM findings').pluck().get() as number);
  if (total === 0) return;
  const started = performance.now();
  process.stderr.write(`yagura: indexing searched document paths of ${total} stored findings (once, for this version)\n`);
  const writer = buildPathWriter(db);
  const slice = db.prepare('SELECT f.rowid, v.doc FROM findings f JOIN finding_versions v ON v.seq = f.current WHERE f.rowid > ? ORDER BY f.rowid LIMIT ?').raw();
  for (let after = 0; ;) {
    const rows = slice.all(after, BACKFILL_SLICE) as Array<[number, string]>;
    if (rows.length === 0) break;
    for (const [rowid, doc] of rows) writer.write(rowid, pathValues(JSON.parse(doc) as Record<string, unknown>));
    after = rows[rows.length - 1]![0];
  }
  process.stderr.write(`yagura: indexed document paths in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** A boolean SQL expression and its parameters. */
interface Condition {
  readonly sql: string;
  readonly params: unknown[];
}

/** compile-query.ts's condition on a time column, so that both paths read a time value alike. */
type TimeCondition = (column: string, span: TimeInterval, op: CompareOp) => Condition;

/**
 * The findings whose values under indexed path `path` meet `test` (undefined: any value, i.e. `exists`), as a
 * condition on `f.rowid`. It means exactly what compile-query.ts's json_tree condition means on the same path.
 */
export function indexedPathCondition(path: number, test: DocumentTest | undefined, timeSql: TimeCondition): Condition {
  const cond = valueCondition(test, timeSql);
  return { sql: `f.rowid IN (SELECT finding FROM finding_paths WHERE path = ?${cond.sql === '' ? '' : ` AND ${cond.sql}`})`, params: [path, ...cond.params] };
}

/** Lower and upper bounds of the text values: numbers sort below every text, blobs above. */
const TEXT_ONLY = `value >= '' AND value < x''`;

function valueCondition(test: DocumentTest | undefined, timeSql: TimeCondition): Condition {
  if (test === undefined) return { sql: '', params: [] };
  switch (test.kind) {
    case 'wildcard': {
      const prefix = literalPrefix(test.pattern);
      const range = prefix === undefined ? TEXT_ONLY : `value >= ? AND value < ?`;
      return { sql: `${range} AND value GLOB ?`, params: [...(prefix ?? []), globPattern(test.pattern)] };
    }
    case 'equals': {
      if (test.number !== undefined) return { sql: 'value IN (?, ?)', params: [test.number, test.text] };
      if (test.boolean !== undefined) return { sql: 'value IN (?, ?)', params: [test.boolean === 'true' ? TRUE : FALSE, test.text] };
      return { sql: 'value = ?', params: [test.text] };
    }
    case 'number':
      // Numbers only: every text and blob sorts above them.
      return test.op === '<' || test.op === '<='
        ? { sql: `value ${test.op} ?`, params: [test.value] }
        : { sql: `value ${test.op} ? AND value < ''`, params: [test.value] };
    case 'time': {
      const time = timeSql(`round(unixepoch(value, 'subsec') * 1000)`, test.span, test.op);
      return { sql: `${TEXT_ONLY} AND ${time.sql}`, params: time.params };
    }
    case 'compare':
      return { sql: `${TEXT_ONLY} AND value ${test.op} ?`, params: [test.text] };
  }
}

/**
 * Bounds of the text a wildcard's literal prefix starts (`abc*` → ['abc', 'abd']), so the index reads only them;
 * undefined without a prefix or when its last character has no simple successor.
 */
function literalPrefix(pattern: string): [string, string] | undefined {
  const star = pattern.indexOf('*');
  const prefix = star === -1 ? pattern : pattern.slice(0, star);
  if (prefix.length === 0) return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0x7f) return undefined;
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}
