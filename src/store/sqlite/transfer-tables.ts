// Where each kind of transfer record lives in the embedded database: its rows, the fields they give, and the
// unique order a copy pages through them in.
import type { RecordKind, TransferRecords } from '../transfer-records.js';
import { SHARED_TABLES, type TransferTable } from '../transfer-tables.js';

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

/** A table kept alike in every backend, as the embedded store reads it. */
function sqliteTable<R>(t: TransferTable<R>): SqliteTable<R> {
  return { from: t.table, order: t.order, select: t.columns };
}

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
  signingCredentials: sqliteTable(SHARED_TABLES.signingCredentials),
  catalogGroups: { ...sqliteTable(SHARED_TABLES.catalogGroups), booleans: ['builtIn'] },
  catalogAccounts: sqliteTable(SHARED_TABLES.catalogAccounts),
  catalogPolicy: sqliteTable(SHARED_TABLES.catalogPolicy),
  alertDestinations: sqliteTable(SHARED_TABLES.alertDestinations),
  alertRules: sqliteTable(SHARED_TABLES.alertRules),
  alertIncidents: sqliteTable(SHARED_TABLES.alertIncidents),
  alertDeliveries: sqliteTable(SHARED_TABLES.alertDeliveries),
  alertDeliveryFindings: sqliteTable(SHARED_TABLES.alertDeliveryFindings),
  alertDigestItems: sqliteTable(SHARED_TABLES.alertDigestItems),
  sessions: sqliteTable(SHARED_TABLES.sessions),
  roleSessions: sqliteTable(SHARED_TABLES.roleSessions),
  roleMap: sqliteTable(SHARED_TABLES.roleMap),
  auditEntries: sqliteTable(SHARED_TABLES.auditEntries),
  retentionPolicy: sqliteTable(SHARED_TABLES.retentionPolicy),
  legalHolds: sqliteTable(SHARED_TABLES.legalHolds),
};
