// The audit log's column for each field a query can name: the same table shape in every backend.
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
