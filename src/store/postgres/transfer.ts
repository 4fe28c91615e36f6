// Records in and out of PostgreSQL for a copy between backends (`yagura migrate`): read a page at a time in key
// order; written a page per transaction together with the copy's mark (in `meta`), so a copy stopped at any moment
// resumes after the last page written.
import type { PoolClient } from 'pg';
import type { CopyMark, Position, RecordPage, RecordSink, RecordSource } from '../transfer.js';
import type { CountedKind, RecordKind, TransferRecords } from '../transfer-records.js';
import type { PgDatabase } from './database.js';
import { readFindings, writeFindings } from './finding-transfer.js';
import { inTransaction } from './pool.js';
import { PG_TABLES, type PgTable } from './transfer-tables.js';

const MARK_PREFIX = 'migrate:';
/** Rows per INSERT statement: far below PostgreSQL's 65,535 parameters at the widest record. */
const ROWS_PER_STATEMENT = 500;

const COUNTS: Readonly<Record<'findings' | 'findingVersions' | 'archiveActions', string>> = {
  findings: 'SELECT count(*)::bigint AS n FROM findings',
  findingVersions: 'SELECT count(*)::bigint AS n FROM finding_versions',
  archiveActions: 'SELECT count(*)::bigint AS n FROM finding_archive_actions',
};

type Table = PgTable<Record<string, unknown>>;

function tableOf(kind: Exclude<RecordKind, 'findings'>): Table {
  return PG_TABLES[kind] as unknown as Table;
}

function fromClause(table: Table): string {
  return `${table.from ?? table.table}${table.where ? ` WHERE ${table.where}` : ''}`;
}

async function insert(client: PoolClient, table: Table, records: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const fields = Object.entries(table.columns);
  const extra = table.extra ?? [];
  const columns = [...fields.map(([, column]) => column), ...extra.map(([column]) => column)];
  const conflict = table.replace
    ? `ON CONFLICT (${table.replace.target}) DO UPDATE SET ${columns.filter((c) => c !== table.replace!.target).map((c) => `${c} = excluded.${c}`).join(', ')}`
    : 'ON CONFLICT DO NOTHING';
  for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
    const chunk = records.slice(start, start + ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    const add = (value: unknown, wrap?: (p: string) => string): string => {
      values.push(value);
      return wrap ? wrap(`$${values.length}`) : `$${values.length}`;
    };
    const rows = chunk.map((record) => {
      const cells = [
        ...fields.map(([field]) => add(record[field], table.write?.[field])),
        ...extra.map(([, value, wrap]) => add(value(record), wrap)),
      ];
      return `(${cells.join(', ')})`;
    });
    await client.query(
      `INSERT INTO ${table.table} (${columns.join(', ')})${table.identity ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES ${rows.join(', ')} ${conflict}`,
      values,
    );
  }
  if (table.identity && records.length > 0) {
    await client.query(`SELECT setval(pg_get_serial_sequence('${table.table}', '${table.identity}'), (SELECT max(${table.identity}) FROM ${table.table}))`);
  }
}

export class PostgresTransfer implements RecordSource, RecordSink {
  /** Numbers of document paths, once committed (they never change). */
  private readonly paths = new Map<string, number>();

  constructor(private readonly db: PgDatabase) {}

  async read<K extends RecordKind>(kind: K, after: Position | undefined, limit: number): Promise<RecordPage<K>> {
    if (kind === 'findings') return readFindings(this.db, after, limit) as Promise<RecordPage<K>>;
    const table = tableOf(kind as Exclude<RecordKind, 'findings'>);
    const fields = Object.entries(table.columns).map(([field, column]) => `${table.read?.[field] ?? column} AS "${field}"`);
    const positions = table.order.map((o, i) => `${o} AS "_p${i}"`);
    const order = table.order.join(', ');
    const values: unknown[] = [...(after ?? [])];
    const conditions = [table.where, after ? `(${order}) > (${table.order.map((_, i) => `$${i + 1}`).join(', ')})` : undefined].filter((c) => c !== undefined);
    values.push(limit);
    const rows = await this.db.rows<Record<string, unknown>>(
      `SELECT ${[...positions, ...fields].join(', ')} FROM ${table.from ?? table.table}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY ${order} LIMIT $${values.length}`,
      values,
    );
    const last = rows.at(-1);
    const records = rows.map((row) => Object.fromEntries(Object.keys(table.columns).map((field) => [field, row[field]])) as unknown as TransferRecords[K]);
    return { records, ...(last && { last: table.order.map((_, i) => last[`_p${i}`] as string | number) }) };
  }

  async count(kind: CountedKind): Promise<number> {
    const sql = kind in COUNTS ? COUNTS[kind as keyof typeof COUNTS] : `SELECT count(*)::bigint AS n FROM ${fromClause(tableOf(kind as Exclude<RecordKind, 'findings'>))}`;
    const [row] = await this.db.rows<{ n: number }>(sql);
    return row?.n ?? 0;
  }

  async write<K extends RecordKind>(kind: K, records: ReadonlyArray<TransferRecords[K]>, mark: CopyMark): Promise<void> {
    const newPaths = await inTransaction(this.db.pool, this.db.url, async (client) => {
      const numbered = kind === 'findings' ? await writeFindings(client, records as ReadonlyArray<TransferRecords['findings']>, this.paths) : undefined;
      if (kind !== 'findings') await insert(client, tableOf(kind as Exclude<RecordKind, 'findings'>), records as unknown as ReadonlyArray<Record<string, unknown>>);
      await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [`${MARK_PREFIX}${kind}`, JSON.stringify(mark)]);
      return numbered;
    });
    for (const [path, id] of newPaths ?? []) this.paths.set(path, id);
  }

  async marks(): Promise<ReadonlyMap<RecordKind, CopyMark>> {
    const rows = await this.db.rows<{ key: string; value: string }>(`SELECT key, value FROM meta WHERE key LIKE '${MARK_PREFIX}%'`);
    return new Map(rows.map((r) => [r.key.slice(MARK_PREFIX.length) as RecordKind, JSON.parse(r.value) as CopyMark]));
  }
}
