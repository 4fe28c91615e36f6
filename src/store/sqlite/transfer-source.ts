// Reads the embedded database's records out for a copy into another backend, a page at a time in key order.
import type Database from 'better-sqlite3';
import type { CountedKind, FindingTransferRecord, RecordKind, TransferRecords } from '../transfer-records.js';
import type { Position, RecordPage, RecordSource } from '../transfer.js';
import { SQLITE_TABLES, type SqliteTable } from './transfer-tables.js';

interface FindingRow {
  rowid: number;
  account_id: string;
  region: string;
  id: string;
  hash: string;
  first_seen: number;
  last_seen: number;
  archived: number;
  received_at: number;
}

interface VersionRow {
  finding: number;
  hash: string;
  updated_at: number;
  count: number;
  received_at: number;
  doc: string;
}

interface ActionRow {
  finding: number;
  archived: number;
  actor: string;
  at: number;
}

const COUNTS: Readonly<Record<'findings' | 'findingVersions' | 'archiveActions', string>> = {
  findings: 'SELECT count(*) FROM findings',
  findingVersions: 'SELECT count(*) FROM finding_versions',
  archiveActions: 'SELECT count(*) FROM finding_archive_actions',
};

function pageSql(table: SqliteTable<object>, after: boolean): string {
  const order = table.order.join(', ');
  const conditions = [table.where, after ? `(${order}) > (${table.order.map(() => '?').join(', ')})` : undefined].filter((c) => c !== undefined);
  const fields = Object.entries(table.select).map(([field, sql]) => `${sql} AS "${field}"`);
  const positions = table.order.map((o, i) => `${o} AS "_p${i}"`);
  return `SELECT ${[...positions, ...fields].join(', ')} FROM ${table.from}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
}

export class SqliteTransferSource implements RecordSource {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  async read<K extends RecordKind>(kind: K, after: Position | undefined, limit: number): Promise<RecordPage<K>> {
    if (kind === 'findings') return this.findings(after, limit) as unknown as RecordPage<K>;
    const table = SQLITE_TABLES[kind as Exclude<RecordKind, 'findings'>] as SqliteTable<object>;
    const rows = this.statement(`${kind}:${after !== undefined}`, () => pageSql(table, after !== undefined)).all(...(after ?? []), limit) as Array<Record<string, unknown>>;
    const last = rows.at(-1);
    const records = rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const field of Object.keys(table.select)) record[field] = row[field];
      for (const field of table.booleans ?? []) record[field] = row[field] !== 0;
      return record as unknown as TransferRecords[K];
    });
    return { records, ...(last && { last: table.order.map((_, i) => last[`_p${i}`] as string | number) }) };
  }

  async count(kind: CountedKind): Promise<number> {
    const sql =
      kind in COUNTS
        ? COUNTS[kind as keyof typeof COUNTS]
        : (() => {
            const table = SQLITE_TABLES[kind as Exclude<RecordKind, 'findings'>] as SqliteTable<object>;
            return `SELECT count(*) FROM ${table.from}${table.where ? ` WHERE ${table.where}` : ''}`;
          })();
    return this.statement(`count:${kind}`, () => sql).pluck().get() as number;
  }

  /** Findings in the order they were first stored, each with every version and archive action. */
  private findings(after: Position | undefined, limit: number): RecordPage<'findings'> {
    const rows = this.statement('findings', () =>
      'SELECT rowid, account_id, region, id, hash, first_seen, last_seen, archived, received_at FROM findings WHERE rowid > ? ORDER BY rowid LIMIT ?',
    ).all(Number(after?.[0] ?? 0), limit) as FindingRow[];
    if (rows.length === 0) return { records: [] };
    const ids = JSON.stringify(rows.map((r) => r.rowid));
    const versions = this.statement('versions', () =>
      'SELECT finding, hash, updated_at, count, received_at, doc FROM finding_versions WHERE finding IN (SELECT value FROM json_each(?)) ORDER BY seq',
    ).all(ids) as VersionRow[];
    const actions = this.statement('actions', () =>
      `SELECT f.rowid AS finding, a.archived, a.actor, a.at FROM findings f
       JOIN finding_archive_actions a ON a.account_id = f.account_id AND a.region = f.region AND a.id = f.id
       WHERE f.rowid IN (SELECT value FROM json_each(?)) ORDER BY a.at, a.rowid`,
    ).all(ids) as ActionRow[];
    const byFinding = new Map(rows.map((r) => [r.rowid, { versions: [] as FindingTransferRecord['versions'][number][], actions: [] as FindingTransferRecord['actions'][number][] }]));
    for (const v of versions) byFinding.get(v.finding)?.versions.push({ hash: v.hash, updatedAt: v.updated_at, count: v.count, receivedAt: v.received_at, doc: v.doc });
    for (const a of actions) byFinding.get(a.finding)?.actions.push({ archived: a.archived !== 0, actor: a.actor, at: a.at });
    const records = rows.map((r): FindingTransferRecord => ({
      key: { accountId: r.account_id, region: r.region, id: r.id },
      versions: byFinding.get(r.rowid)!.versions,
      current: r.hash,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      receivedAt: r.received_at,
      archived: r.archived !== 0,
      actions: byFinding.get(r.rowid)!.actions,
    }));
    return { records, last: [rows.at(-1)!.rowid] };
  }

  private statement(name: string, sql: () => string): Database.Statement {
    let statement = this.statements.get(name);
    if (statement === undefined) {
      statement = this.db.prepare(sql());
      this.statements.set(name, statement);
    }
    return statement;
  }
}
