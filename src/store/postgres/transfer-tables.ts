// Where each kind of transfer record lives in PostgreSQL: the columns its fields are read from and written to, the
// unique order a copy pages in, and what a record already there (a built-in row) becomes.
import type { RecordKind, TransferRecords } from '../transfer-records.js';
import { SHARED_TABLES } from '../transfer-tables.js';
import { KEY_OF } from './principal-rows.js';

export interface PgTable<R> {
  /** The table written to, and read from unless `from` says otherwise. */
  readonly table: string;
  /** The column of every field, read and written as it is unless `read` or `write` say otherwise. */
  readonly columns: { readonly [F in keyof R]-?: string };
  /** A unique key, so that paging resumes exactly after a position. */
  readonly order: readonly string[];
  readonly where?: string;
  /** Read through joins (names the rows keep as lower-cased keys come back as spelled). */
  readonly from?: string;
  readonly read?: { readonly [F in keyof R]?: string };
  /** SQL around a field's placeholder where the column keeps something derived from it (a lower-cased key). */
  readonly write?: { readonly [F in keyof R]?: (placeholder: string) => string };
  /** Columns written beside the fields. */
  readonly extra?: ReadonlyArray<readonly [column: string, value: (record: R) => unknown, wrap?: (placeholder: string) => string]>;
  /** A record already there takes the source's values (built-in rows, secrets made at a start); otherwise it is kept. */
  readonly replace?: { readonly target: string };
  /** A GENERATED ALWAYS identity column copied as it is; its sequence is moved past the copied values. */
  readonly identity?: string;
}

export type PgTables = { readonly [K in Exclude<RecordKind, 'findings'>]: PgTable<TransferRecords[K]> };

const TIMES = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

const PRINCIPAL_NAME = `COALESCE(CASE a.principal_kind
    WHEN 'user' THEN (SELECT name FROM iam_users WHERE key = a.principal_key)
    WHEN 'group' THEN (SELECT name FROM iam_groups WHERE key = a.principal_key)
    ELSE (SELECT name FROM iam_roles WHERE key = a.principal_key) END, a.principal_key)`;

export const PG_TABLES: PgTables = {
  secrets: { table: 'meta', where: "key LIKE 'secret:%'", order: ['key'], columns: { key: 'key', value: 'value' }, replace: { target: 'key' } },
  policies: { table: 'iam_policies', order: ['key'], columns: { name: 'name', document: 'document', builtIn: 'built_in', ...TIMES }, replace: { target: 'key' } },
  roles: {
    table: 'iam_roles',
    order: ['key'],
    columns: { name: 'name', description: 'description', tags: 'tags', trustPolicy: 'trust_policy', builtIn: 'built_in', ...TIMES },
    replace: { target: 'key' },
  },
  users: { table: 'iam_users', order: ['key'], columns: { name: 'name', passwordHash: 'password_hash', tags: 'tags', ...TIMES } },
  groups: { table: 'iam_groups', order: ['key'], columns: { name: 'name', ...TIMES } },
  groupMembers: {
    table: 'iam_group_members',
    from: 'iam_group_members m JOIN iam_groups g ON g.key = m.group_key JOIN iam_users u ON u.key = m.user_key',
    order: ['m.group_key', 'm.user_key'],
    columns: { group: 'group_key', user: 'user_key' },
    read: { group: 'g.name', user: 'u.name' },
    write: { group: KEY_OF, user: KEY_OF },
  },
  attachments: {
    table: 'iam_attachments',
    from: 'iam_attachments a',
    order: ['a.principal_kind', 'a.principal_key', 'a.policy_key'],
    columns: { principalKind: 'principal_kind', principalName: 'principal_key', policyName: 'policy_key' },
    read: { principalKind: 'a.principal_kind', principalName: PRINCIPAL_NAME, policyName: 'COALESCE((SELECT name FROM iam_policies WHERE key = a.policy_key), a.policy_key)' },
    write: { principalName: KEY_OF, policyName: KEY_OF },
  },
  // Written in the source's listing order, so that `seq` lists them in the same order.
  apiKeys: {
    table: 'api_keys',
    order: ['seq'],
    columns: {
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
    extra: [['owner_key', (r) => r.ownerName, KEY_OF]],
  },
  signingCredentials: SHARED_TABLES.signingCredentials,
  catalogGroups: { ...SHARED_TABLES.catalogGroups, replace: { target: 'name' } },
  catalogAccounts: SHARED_TABLES.catalogAccounts,
  catalogPolicy: { ...SHARED_TABLES.catalogPolicy, extra: [['id', () => 1]], replace: { target: 'id' } },
  alertDestinations: SHARED_TABLES.alertDestinations,
  alertRules: SHARED_TABLES.alertRules,
  alertIncidents: SHARED_TABLES.alertIncidents,
  alertDeliveries: { ...SHARED_TABLES.alertDeliveries, identity: 'id' },
  alertDeliveryFindings: SHARED_TABLES.alertDeliveryFindings,
  alertDigestItems: { ...SHARED_TABLES.alertDigestItems, identity: 'seq' },
  sessions: SHARED_TABLES.sessions,
  roleSessions: SHARED_TABLES.roleSessions,
  roleMap: SHARED_TABLES.roleMap,
  auditEntries: { ...SHARED_TABLES.auditEntries, identity: 'seq' },
  retentionPolicy: { ...SHARED_TABLES.retentionPolicy, extra: [['id', () => 1]], replace: { target: 'id' } },
  legalHolds: SHARED_TABLES.legalHolds,
};
