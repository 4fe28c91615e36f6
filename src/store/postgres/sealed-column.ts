// Master key rotation over one table's sealed column in PostgreSQL: every value handed to `rewrite` with its
// context, the rows locked, changed ones written back, in one transaction.
//
// Unlike SQLite's secure delete, PostgreSQL keeps a replaced value in the old row version until VACUUM reclaims
// it (and in the write-ahead log until it is recycled); the operator's disk encryption covers those bytes.
import type { Sql } from './database.js';

export interface SealedColumn {
  readonly table: string;
  /** The row's key, which the context names (`sts:<id>`, `key:<id>`, `destination:<id>`). */
  readonly keyColumn: string;
  readonly sealedColumn: string;
  readonly contextOf: (key: string) => string;
}

/** Rewrites the column inside the caller's transaction; resolves to how many values changed. */
export async function rewriteSealedColumn(tx: Sql, column: SealedColumn, rewrite: (sealed: string, context: string) => string): Promise<number> {
  const { table, keyColumn, sealedColumn } = column;
  // Locked, so that a row written by another instance meanwhile is not overwritten with an older value.
  const rows = await tx.rows<{ key: string; sealed: string }>(`SELECT ${keyColumn} AS key, ${sealedColumn} AS sealed FROM ${table} ORDER BY ${keyColumn} FOR UPDATE`);
  let changed = 0;
  for (const { key, sealed } of rows) {
    const next = rewrite(sealed, column.contextOf(key));
    if (next !== sealed) changed += await tx.run(`UPDATE ${table} SET ${sealedColumn} = $1 WHERE ${keyColumn} = $2`, [next, key]);
  }
  return changed;
}
