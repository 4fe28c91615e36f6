// Master key rotation over one table's sealed column: every value handed to `rewrite` with its context, changed
// rows written back, in one transaction.
import type Database from 'better-sqlite3';

export interface SealedColumn {
  readonly table: string;
  /** The row's key, which the context names (`sts:<id>`, `key:<id>`). */
  readonly keyColumn: string;
  readonly sealedColumn: string;
  readonly contextOf: (key: string) => string;
}

export function rewriteSealedColumn(db: Database.Database, column: SealedColumn, rewrite: (sealed: string, context: string) => string): number {
  const { table, keyColumn, sealedColumn } = column;
  return db.transaction(() => {
    let changed = 0;
    const update = db.prepare(`UPDATE ${table} SET ${sealedColumn} = ? WHERE ${keyColumn} = ?`);
    for (const [key, sealed] of db.prepare(`SELECT ${keyColumn}, ${sealedColumn} FROM ${table}`).raw().all() as [string, string][]) {
      const next = rewrite(sealed, column.contextOf(key));
      if (next !== sealed) changed += update.run(next, key).changes;
    }
    return changed;
  })();
}
