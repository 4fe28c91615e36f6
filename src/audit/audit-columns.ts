// The audit log as a table: the column for each field a query can name, and a row read back as an entry — the same
// table shape in every backend.
import type { AuditDecision, StoredAuditEntry } from './audit-entry.js';
import type { AuditField } from './audit-query.js';

/** Field names are a closed set: they map to columns here and never reach SQL as typed. */
export const AUDIT_COLUMNS: Readonly<Record<AuditField, string>> = {
  time: 'time',
  requestId: 'request_id',
  principal: 'principal',
  keyPrefix: 'key_prefix',
  sessionId: 'session_id',
  sourceIp: 'source_ip',
  method: 'method',
  route: 'route',
  action: 'action',
  resource: 'resource',
  decision: 'decision',
  errorCode: 'error_code',
  reason: 'reason',
  status: 'status',
  resultSize: 'result_size',
  items: 'items',
};

export interface AuditRow {
  seq: number;
  time: number;
  request_id: string;
  principal: string | null;
  key_prefix: string | null;
  session_id: string | null;
  source_ip: string;
  method: string;
  route: string;
  action: string | null;
  resource: string | null;
  decision: AuditDecision;
  status: number;
  error_code: string | null;
  result_size: number | null;
  items: number | null;
  reason: string | null;
}

/** Every column, in table order. */
export const AUDIT_ROW_COLUMNS = 'seq, time, request_id, principal, key_prefix, session_id, source_ip, method, route, action, resource, decision, status, error_code, result_size, items, reason';

export function auditEntryOf(row: AuditRow): StoredAuditEntry {
  return {
    seq: row.seq,
    time: row.time,
    requestId: row.request_id,
    principal: row.principal,
    keyPrefix: row.key_prefix,
    sessionId: row.session_id,
    sourceIp: row.source_ip,
    method: row.method,
    route: row.route,
    action: row.action,
    resource: row.resource,
    decision: row.decision,
    status: row.status,
    errorCode: row.error_code,
    resultSize: row.result_size,
    items: row.items,
    ...(row.reason !== null && { reason: row.reason }),
  };
}
