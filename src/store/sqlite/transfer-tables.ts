// Where each kind of transfer record lives in the embedded database: its rows, the fields they give, and the
// unique order a copy pages through them in.
import type { RecordKind, TransferRecords } from '../transfer-records.js';

export interface SqliteTable<R> {
  /** FROM clause (joins canonicalise names that rows refer to in another spelling). */
  readonly from: string;
  readonly where?: string;
  /** A unique key, so that paging resumes exactly after a position. */
  readonly order: readonly string[];
  /** The SQL expression of every field. */
  readonly select: { readonly [F in keyof R]-?: string };
  /** Fields stored as 0/1. */
  readonly booleans?: ReadonlyArray<keyof R & string>;
}

export type SqliteTables = { readonly [K in Exclude<RecordKind, 'findings'>]: SqliteTable<TransferRecords[K]> };

const TIMES = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** The name of the principal an attachment names, as the principal spells it. */
const PRINCIPAL_NAME = `COALESCE(CASE a.principal_kind
    WHEN 'user' THEN (SELECT name FROM iam_users WHERE name = a.principal_name)
    WHEN 'group' THEN (SELECT name FROM iam_groups WHERE name = a.principal_name)
    ELSE (SELECT name FROM iam_roles WHERE name = a.principal_name) END, a.principal_name)`;

export const SQLITE_TABLES: SqliteTables = {
  secrets: { from: 'meta', where: "substr(key, 1, 7) = 'secret:'", order: ['key'], select: { key: 'key', value: 'value' } },
  policies: { from: 'iam_policies', order: ['name'], select: { name: 'name', document: 'document', builtIn: 'built_in', ...TIMES }, booleans: ['builtIn'] },
  roles: {
    from: 'iam_roles',
    order: ['name'],
    select: { name: 'name', description: 'description', tags: 'tags', trustPolicy: 'trust_policy', builtIn: 'built_in', ...TIMES },
    booleans: ['builtIn'],
  },
  users: { from: 'iam_users', order: ['name'], select: { name: 'name', passwordHash: 'password_hash', tags: 'tags', ...TIMES } },
  groups: { from: 'iam_groups', order: ['name'], select: { name: 'name', ...TIMES } },
  groupMembers: {
    from: 'iam_group_members m JOIN iam_groups g ON g.name = m.group_name JOIN iam_users u ON u.name = m.user_name',
    order: ['m.group_name', 'm.user_name'],
    select: { group: 'g.name', user: 'u.name' },
  },
  attachments: {
    from: 'iam_attachments a',
    order: ['a.principal_kind', 'a.principal_name', 'a.policy_name'],
    select: {
      principalKind: 'a.principal_kind',
      principalName: PRINCIPAL_NAME,
      policyName: 'COALESCE((SELECT name FROM iam_policies WHERE name = a.policy_name), a.policy_name)',
    },
  },
  // In the order keys are listed.
  apiKeys: {
    from: 'api_keys',
    order: ['rowid'],
    select: {
      id: 'id',
      prefix: 'prefix',
      name: 'name',
      hash: 'hash',
      ownerKind: 'owner_kind',
      ownerName: 'owner_name',
      createdAt: 'created_at',
      lastUsedAt: 'last_used_at',
      expiresAt: 'expires_at',
      revokedAt: 'revoked_at',
    },
  },
  signingCredentials: { from: 'api_key_signing', order: ['key_id'], select: { keyId: 'key_id', accessKeyId: 'access_key_id', sealedSecret: 'sealed_secret' } },
  catalogGroups: { from: 'catalog_groups', order: ['name'], select: { name: 'name', tags: 'tags', builtIn: 'built_in', ...TIMES }, booleans: ['builtIn'] },
  catalogAccounts: {
    from: 'catalog_accounts',
    order: ['account_id'],
    select: { accountId: 'account_id', group: 'group_name', name: 'name', tags: 'tags', ...TIMES },
  },
  catalogPolicy: { from: 'catalog_policy', order: ['id'], select: { document: 'document', updatedAt: 'updated_at' } },
  alertDestinations: { from: 'alert_destinations', order: ['id'], select: { id: 'id', type: 'type', spec: 'spec', ...TIMES } },
  alertRules: { from: 'alert_rules', order: ['id'], select: { id: 'id', spec: 'spec', owner: 'owner', status: 'status', ...TIMES } },
  alertIncidents: {
    from: 'alert_incidents',
    order: ['rule', 'group_key'],
    select: {
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
    from: 'alert_deliveries',
    order: ['id'],
    select: {
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
  alertDeliveryFindings: {
    from: 'alert_delivery_findings',
    order: ['delivery', 'account_id', 'region', 'id'],
    select: { delivery: 'delivery', accountId: 'account_id', region: 'region', id: 'id' },
  },
  alertDigestItems: { from: 'alert_digest_items', order: ['seq'], select: { seq: 'seq', rule: 'rule', finding: 'finding', at: 'at' } },
  sessions: {
    from: 'sessions',
    order: ['hash'],
    select: {
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
    from: 'sts_sessions',
    order: ['access_key_id'],
    select: {
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
  roleMap: { from: 'directory_role_map', order: ['dn'], select: { dn: 'dn', roleName: 'role_name', createdAt: 'created_at' } },
  retentionPolicy: { from: 'retention_policy', order: ['id'], select: { document: 'document', updatedBy: 'updated_by', updatedAt: 'updated_at' } },
  legalHolds: { from: 'legal_holds', order: ['id'], select: { id: 'id', query: 'query', accountId: 'account_id', reason: 'reason', createdBy: 'created_by', createdAt: 'created_at', liftedBy: 'lifted_by', liftedAt: 'lifted_at' } },
  auditEntries: {
    from: 'audit_log',
    order: ['seq'],
    select: {
      seq: 'seq',
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
      status: 'status',
      errorCode: 'error_code',
      resultSize: 'result_size',
      items: 'items',
      reason: 'reason',
    },
  },
};
