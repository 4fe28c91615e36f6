// Where the kinds of transfer record kept alike in every backend live: the table, the column of every field and the
// unique order a copy pages through them in. Each backend adds what it does its own way (SQLite's 0/1 booleans,
// PostgreSQL's identity columns and rows a copy replaces); the kinds kept differently (principals, whose names
// PostgreSQL also keeps as lower-cased keys, and the secrets) are described by each backend alone.
import { AUDIT_COLUMNS } from '../audit/audit-columns.js';
import type { TransferRecords } from './transfer-records.js';

export interface TransferTable<R> {
  readonly table: string;
  /** A unique key, so that paging resumes exactly after a position. */
  readonly order: readonly string[];
  /** The column of every field. */
  readonly columns: { readonly [F in keyof R]-?: string };
}

type SharedKind =
  | 'signingCredentials' | 'catalogGroups' | 'catalogAccounts' | 'catalogPolicy' | 'alertDestinations' | 'alertRules' | 'alertIncidents'
  | 'alertDeliveries' | 'alertDeliveryFindings' | 'alertDigestItems' | 'sessions' | 'roleSessions' | 'roleMap' | 'auditEntries'
  | 'retentionPolicy' | 'legalHolds';

const TIMES = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

export const SHARED_TABLES: { readonly [K in SharedKind]: TransferTable<TransferRecords[K]> } = {
  signingCredentials: { table: 'api_key_signing', order: ['key_id'], columns: { keyId: 'key_id', accessKeyId: 'access_key_id', sealedSecret: 'sealed_secret' } },
  catalogGroups: { table: 'catalog_groups', order: ['name'], columns: { name: 'name', tags: 'tags', builtIn: 'built_in', ...TIMES } },
  catalogAccounts: { table: 'catalog_accounts', order: ['account_id'], columns: { accountId: 'account_id', group: 'group_name', name: 'name', tags: 'tags', ...TIMES } },
  catalogPolicy: { table: 'catalog_policy', order: ['id'], columns: { document: 'document', updatedAt: 'updated_at' } },
  alertDestinations: { table: 'alert_destinations', order: ['id'], columns: { id: 'id', type: 'type', spec: 'spec', ...TIMES } },
  alertRules: { table: 'alert_rules', order: ['id'], columns: { id: 'id', spec: 'spec', owner: 'owner', status: 'status', ...TIMES } },
  alertIncidents: {
    table: 'alert_incidents',
    order: ['rule', 'group_key'],
    columns: {
      rule: 'rule',
      groupKey: 'group_key',
      openedAt: 'opened_at',
      lastAlertAt: 'last_alert_at',
      band: 'band',
      count: 'count',
      updates: 'updates',
      alerts: 'alerts',
      updatedAt: 'updated_at',
    },
  },
  alertDeliveries: {
    table: 'alert_deliveries',
    order: ['id'],
    columns: {
      id: 'id',
      idempotencyKey: 'idempotency_key',
      rule: 'rule',
      destination: 'destination',
      kind: 'kind',
      finding: 'finding',
      message: 'message',
      status: 'status',
      attempts: 'attempts',
      nextAttemptAt: 'next_attempt_at',
      arrivedAt: 'arrived_at',
      createdAt: 'created_at',
      sentAt: 'sent_at',
      lastError: 'last_error',
      latencyMs: 'latency_ms',
    },
  },
  alertDeliveryFindings: { table: 'alert_delivery_findings', order: ['delivery', 'account_id', 'region', 'id'], columns: { delivery: 'delivery', accountId: 'account_id', region: 'region', id: 'id' } },
  alertDigestItems: { table: 'alert_digest_items', order: ['seq'], columns: { seq: 'seq', rule: 'rule', finding: 'finding', at: 'at' } },
  sessions: {
    table: 'sessions',
    order: ['hash'],
    columns: {
      hash: 'hash',
      keyId: 'key_id',
      name: 'name',
      userName: 'user_name',
      accessKeyId: 'access_key_id',
      createdAt: 'created_at',
      lastUsedAt: 'last_used_at',
      expiresAt: 'expires_at',
    },
  },
  roleSessions: {
    table: 'sts_sessions',
    order: ['access_key_id'],
    columns: {
      accessKeyId: 'access_key_id',
      sealedSecret: 'sealed_secret',
      tokenHash: 'token_hash',
      roleName: 'role_name',
      sessionName: 'session_name',
      source: 'source',
      subject: 'subject',
      sessionPolicy: 'session_policy',
      tags: 'tags',
      context: 'context',
      sourceIp: 'source_ip',
      createdAt: 'created_at',
      expiresAt: 'expires_at',
      revokedAt: 'revoked_at',
    },
  },
  roleMap: { table: 'directory_role_map', order: ['dn'], columns: { dn: 'dn', roleName: 'role_name', createdAt: 'created_at' } },
  auditEntries: { table: 'audit_log', order: ['seq'], columns: { seq: 'seq', ...AUDIT_COLUMNS } },
  retentionPolicy: { table: 'retention_policy', order: ['id'], columns: { document: 'document', updatedBy: 'updated_by', updatedAt: 'updated_at' } },
  legalHolds: {
    table: 'legal_holds',
    order: ['id'],
    columns: { id: 'id', query: 'query', accountId: 'account_id', reason: 'reason', createdBy: 'created_by', createdAt: 'created_at', liftedBy: 'lifted_by', liftedAt: 'lifted_at' },
  },
};
