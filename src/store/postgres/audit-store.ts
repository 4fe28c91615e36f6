// The audit log in PostgreSQL: entries queued in memory and appended one batch per statement. Every instance
// appends to the one table; `seq` orders entries of the same millisecond.
import { AUDIT_ROW_COLUMNS, auditEntryOf, type AuditRow } from '../../audit/audit-columns.js';
import type { AuditEntry } from '../../audit/audit-entry.js';
import type { AuditLog, AuditPage, AuditSearchRequest } from '../../audit/audit-log.js';
import type { AuditQueueOptions } from '../../audit/audit-queue.js';
import { AuditBatches } from './audit-batches.js';
import { compileAuditCondition } from './audit-sql.js';
import { Params } from './compile-query.js';
import type { PgDatabase } from './database.js';

/** The entry fields in column order, each with the array type its batch is sent as. */
const APPENDED: ReadonlyArray<readonly [string, string, (e: AuditEntry) => unknown]> = [
  ['time', 'bigint', (e) => e.time],
  ['request_id', 'text', (e) => e.requestId],
  ['principal', 'text', (e) => e.principal],
  ['key_prefix', 'text', (e) => e.keyPrefix],
  ['session_id', 'text', (e) => e.sessionId],
  ['source_ip', 'text', (e) => e.sourceIp],
  ['method', 'text', (e) => e.method],
  ['route', 'text', (e) => e.route],
  ['action', 'text', (e) => e.action],
  ['resource', 'text', (e) => e.resource],
  ['decision', 'text', (e) => e.decision],
  ['status', 'integer', (e) => e.status],
  ['error_code', 'text', (e) => e.errorCode],
  ['result_size', 'bigint', (e) => e.resultSize],
  ['items', 'bigint', (e) => e.items],
  ['reason', 'text', (e) => e.reason ?? null],
];

// One statement per batch: the arrays unnested in order, so `seq` follows the order entries were recorded in.
const APPEND_SQL = `INSERT INTO audit_log (${APPENDED.map(([c]) => c).join(', ')})
  SELECT ${APPENDED.map(([c]) => c).join(', ')} FROM unnest(${APPENDED.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
    WITH ORDINALITY AS batch (${APPENDED.map(([c]) => c).join(', ')}, ord)
  ORDER BY ord`;

export type PostgresAuditOptions = Omit<AuditQueueOptions, 'write'>;

/** Appends and searches; it has no statement that changes or removes an entry (the table's triggers refuse both). */
export class PostgresAuditStore implements AuditLog {
  private readonly batches: AuditBatches;

  constructor(private readonly db: PgDatabase, options: PostgresAuditOptions = {}) {
    this.batches = new AuditBatches({
      ...options,
      write: async (entries) => {
        await db.run(APPEND_SQL, APPENDED.map(([, , value]) => entries.map(value)));
      },
    });
  }

  /** Entries waiting to be written. */
  get queued(): number {
    return this.batches.length;
  }

  record(entry: AuditEntry): boolean {
    return this.batches.push(entry);
  }

  async search(request: AuditSearchRequest): Promise<AuditPage> {
    // A search sees every entry recorded before it.
    await this.batches.flush();
    const p = new Params();
    const clauses = [compileAuditCondition(request.query, p)];
    if (request.from !== undefined) clauses.push(`time >= ${p.add(request.from)}`);
    if (request.to !== undefined) clauses.push(`time < ${p.add(request.to)}`);
    if (request.after !== undefined) clauses.push(`(time, seq) < (${p.add(request.after.time)}, ${p.add(request.after.seq)})`);
    const rows = await this.db.rows<AuditRow>(
      `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log WHERE ${clauses.join(' AND ')} ORDER BY time DESC, seq DESC LIMIT ${p.add(request.size + 1)}`,
      p.values,
    );
    const entries = rows.slice(0, request.size).map(auditEntryOf);
    const last = entries[entries.length - 1];
    return rows.length > request.size && last !== undefined ? { entries, next: { time: last.time, seq: last.seq } } : { entries };
  }

  async flush(): Promise<void> {
    await this.batches.flush();
  }

  async close(): Promise<void> {
    await this.batches.close();
  }
}
