// The audit log in the embedded store's database: entries queued in memory and appended in one transaction per batch.
import { AUDIT_ROW_COLUMNS, auditEntryOf, type AuditRow } from '../../audit/audit-columns.js';
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../audit/audit-entry.js';
import type { AuditLog, AuditPage, AuditSearchRequest } from '../../audit/audit-log.js';
import { AuditQueue, type AuditQueueOptions } from '../../audit/audit-queue.js';
import { compileAuditCondition } from './audit-sql.js';

export type SqliteAuditOptions = Omit<AuditQueueOptions, 'write'>;

/** Appends and searches; it has no statement that changes or removes an entry (the table's triggers refuse both). */
export class SqliteAuditStore implements AuditLog {
  private readonly queue: AuditQueue;

  constructor(private readonly db: Database.Database, options: SqliteAuditOptions = {}) {
    const insert = db.prepare(
      `INSERT INTO audit_log (time, request_id, principal, key_prefix, session_id, source_ip, method, route, action, resource, decision, status, error_code, result_size, items, reason)
       VALUES (@time, @requestId, @principal, @keyPrefix, @sessionId, @sourceIp, @method, @route, @action, @resource, @decision, @status, @errorCode, @resultSize, @items, @reason)`,
    );
    const append = db.transaction((entries: readonly AuditEntry[]) => {
      for (const e of entries) insert.run({ ...e, reason: e.reason ?? null });
    });
    this.queue = new AuditQueue({ ...options, write: (entries) => append(entries) });
  }

  /** Entries waiting to be written. */
  get queued(): number {
    return this.queue.length;
  }

  record(entry: AuditEntry): boolean {
    return this.queue.push(entry);
  }

  async search(request: AuditSearchRequest): Promise<AuditPage> {
    // A search sees every entry recorded before it.
    this.queue.flush();
    const where = compileAuditCondition(request.query);
    const clauses = [where.sql];
    const params: (string | number)[] = [...where.params];
    if (request.from !== undefined) {
      clauses.push('time >= ?');
      params.push(request.from);
    }
    if (request.to !== undefined) {
      clauses.push('time < ?');
      params.push(request.to);
    }
    if (request.after !== undefined) {
      clauses.push('(time < ? OR (time = ? AND seq < ?))');
      params.push(request.after.time, request.after.time, request.after.seq);
    }
    const rows = this.db
      .prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log WHERE ${clauses.join(' AND ')} ORDER BY time DESC, seq DESC LIMIT ?`)
      .all(...params, request.size + 1) as AuditRow[];
    const entries = rows.slice(0, request.size).map(auditEntryOf);
    const last = entries[entries.length - 1];
    return rows.length > request.size && last !== undefined ? { entries, next: { time: last.time, seq: last.seq } } : { entries };
  }

  async flush(): Promise<void> {
    this.queue.flush();
  }

  async close(): Promise<void> {
    this.queue.close();
  }
}
