// Principals, managed policies and API keys in PostgreSQL (tables in state-schema.ts). Names compare by their
// lower-cased key; the spelling they were created with is what lists show.
import type { ApiKeyRecord } from '../../auth/api-keys.js';
import { ADMINISTRATOR_ROLE } from '../../auth/principals/names.js';
import { PrincipalError } from '../../auth/principals/principal-error.js';
import type { PrincipalStore } from '../../auth/principals/principal-store.js';
import type {
  AttachableKind,
  GroupInput,
  GroupRecord,
  KeyRecord,
  ListOptions,
  ManagedPolicy,
  Page,
  PrincipalRecord,
  RoleInput,
  RoleRecord,
  Tags,
  UserInput,
  UserRecord,
} from '../../auth/principals/records.js';
import { isForeignKeyViolation, isUniqueViolation, type PgDatabase, type Sql } from './database.js';
import { asciiLower, KEY_COLUMNS, KEY_OF, keyOf, page, policyOf, quoted, trustPolicyText, type GroupRow, type KeyRow, type PolicyRow, type RoleRow, type UserRow } from './principal-rows.js';
import type { StateChanges } from './state-changes.js';

export class PostgresPrincipalStore implements PrincipalStore {
  private gen = 0;

  constructor(
    private readonly db: PgDatabase,
    private readonly changes?: StateChanges,
  ) {}

  get generation(): number {
    return this.gen;
  }

  /** Another instance changed principals: cached resolutions must be made again. */
  invalidate(): void {
    this.gen++;
  }

  /** Runs an administrative change in one transaction, tells the other instances, bumps the generation once committed. */
  private async change<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      const value = await work(tx);
      await this.changes?.announce(tx, 'principals');
      return value;
    });
    this.gen++;
    return result;
  }

  private async insertOrConflict(what: string, name: string, insert: () => Promise<unknown>): Promise<void> {
    try {
      await insert();
    } catch (error) {
      if (isUniqueViolation(error)) throw new PrincipalError('ALREADY_EXISTS', `a ${what} named "${name}" already exists`);
      throw error;
    }
  }

  // Attachments and memberships.

  /**
   * The keys of the named rows of `table`, in the order named; `unknown` builds the error naming those that do not
   * exist. The rows are locked against deletion until the transaction ends.
   */
  private async existingKeys(tx: Sql, table: 'iam_policies' | 'iam_groups', names: readonly string[], unknown: (names: string[]) => PrincipalError): Promise<string[]> {
    if (names.length === 0) return [];
    const keys = names.map(asciiLower);
    const found = new Set(
      (await tx.rows<{ key: string }>(`SELECT key FROM ${table} WHERE key = ANY($1::text[]) FOR SHARE`, [keys])).map((r) => r.key),
    );
    const missing = names.filter((_, i) => !found.has(keys[i]!));
    if (missing.length > 0) throw unknown(missing);
    return keys;
  }

  private policyKeys(tx: Sql, names: readonly string[]): Promise<string[]> {
    return this.existingKeys(tx, 'iam_policies', names, (missing) => new PrincipalError('UNKNOWN_POLICY', `no policy named ${quoted(missing)}`));
  }

  private async attach(tx: Sql, kind: AttachableKind, key: string, policies: readonly string[]): Promise<void> {
    const keys = await this.policyKeys(tx, policies);
    await tx.run('DELETE FROM iam_attachments WHERE principal_kind = $1 AND principal_key = $2', [kind, key]);
    await tx.run(
      'INSERT INTO iam_attachments (principal_kind, principal_key, policy_key) SELECT $1, $2, k FROM unnest($3::text[]) AS k ON CONFLICT DO NOTHING',
      [kind, key, keys],
    );
  }

  private async attached(tx: Sql, kind: AttachableKind, key: string): Promise<string[]> {
    const rows = await tx.rows<{ name: string }>(
      'SELECT p.name FROM iam_attachments a JOIN iam_policies p ON p.key = a.policy_key WHERE a.principal_kind = $1 AND a.principal_key = $2 ORDER BY p.key',
      [kind, key],
    );
    return rows.map((r) => r.name);
  }

  private async setGroups(tx: Sql, userKey: string, groups: readonly string[]): Promise<void> {
    const keys = await this.existingKeys(tx, 'iam_groups', groups, (missing) => new PrincipalError('UNKNOWN_GROUP', `no group named ${quoted(missing)}`));
    await tx.run('DELETE FROM iam_group_members WHERE user_key = $1', [userKey]);
    await tx.run('INSERT INTO iam_group_members (group_key, user_key) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING', [userKey, keys]);
  }

  private async revokeKeysOf(tx: Sql, kind: 'user' | 'role', key: string, now: number): Promise<void> {
    await tx.run('UPDATE api_keys SET revoked_at = $1 WHERE owner_kind = $2 AND owner_key = $3 AND revoked_at IS NULL', [now, kind, key]);
  }

  // Managed policies.

  async createPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy> {
    return this.change(async (tx) => {
      await this.insertOrConflict('policy', name, () =>
        tx.run('INSERT INTO iam_policies (name, document, built_in, created_at, updated_at) VALUES ($1, $2, false, $3, $3)', [name, JSON.stringify(document), now]),
      );
      return { name, document, builtIn: false, createdAt: now, updatedAt: now };
    });
  }

  async getPolicy(name: string): Promise<ManagedPolicy | undefined> {
    const [row] = await this.db.rows<PolicyRow>(`SELECT name, document, built_in, created_at, updated_at FROM iam_policies WHERE key = ${KEY_OF('$1')}`, [name]);
    return row && policyOf(row);
  }

  async listPolicies(options: ListOptions): Promise<Page<ManagedPolicy>> {
    const rows = await this.db.rows<PolicyRow & { key: string }>(
      `SELECT name, key, document, built_in, created_at, updated_at FROM iam_policies WHERE key > ${KEY_OF('$1')} ORDER BY key LIMIT $2`,
      [options.after ?? '', options.limit + 1],
    );
    return page(rows.map(policyOf), options.limit, (p) => p.name);
  }

  private async existingPolicy(tx: Sql, name: string): Promise<PolicyRow & { key: string }> {
    const [row] = await tx.rows<PolicyRow & { key: string }>(
      `SELECT name, key, document, built_in, created_at, updated_at FROM iam_policies WHERE key = ${KEY_OF('$1')} FOR UPDATE`,
      [name],
    );
    if (row === undefined) throw new PrincipalError('POLICY_NOT_FOUND', `there is no policy named "${name}"`);
    if (row.built_in) throw new PrincipalError('BUILT_IN', `the policy "${row.name}" is built in and cannot be changed or deleted`);
    return row;
  }

  async putPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy> {
    return this.change(async (tx) => {
      const row = await this.existingPolicy(tx, name);
      await tx.run('UPDATE iam_policies SET document = $1, updated_at = $2 WHERE key = $3', [JSON.stringify(document), now, row.key]);
      return { name: row.name, document, builtIn: false, createdAt: row.created_at, updatedAt: now };
    });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.change(async (tx) => {
      const row = await this.existingPolicy(tx, name);
      const users = await tx.rows<{ kind: string; name: string }>(
        `SELECT a.principal_kind AS kind, coalesce(u.name, g.name, r.name, a.principal_key) AS name FROM iam_attachments a
         LEFT JOIN iam_users u ON a.principal_kind = 'user' AND u.key = a.principal_key
         LEFT JOIN iam_groups g ON a.principal_kind = 'group' AND g.key = a.principal_key
         LEFT JOIN iam_roles r ON a.principal_kind = 'role' AND r.key = a.principal_key
         WHERE a.policy_key = $1 ORDER BY a.principal_kind, a.principal_key LIMIT 5`,
        [row.key],
      );
      const inUse = (): PrincipalError =>
        new PrincipalError('POLICY_IN_USE', `the policy "${row.name}" is attached to ${users.map((u) => `${u.kind} "${u.name}"`).join(', ') || 'a principal'}; detach it first`);
      if (users.length > 0) throw inUse();
      try {
        await tx.run('DELETE FROM iam_policies WHERE key = $1', [row.key]);
      } catch (error) {
        // Attached by another instance since the check above.
        if (isForeignKeyViolation(error)) throw inUse();
        throw error;
      }
    });
  }

  // Users.

  private async userRow(sql: Sql, name: string, lock = false): Promise<UserRow | undefined> {
    const [row] = await sql.rows<UserRow>(
      `SELECT name, key, password_hash, tags, created_at FROM iam_users WHERE key = ${KEY_OF('$1')}${lock ? ' FOR UPDATE' : ''}`,
      [name],
    );
    return row;
  }

  private async userRecord(sql: Sql, row: UserRow): Promise<UserRecord> {
    const groups = await sql.rows<{ name: string }>('SELECT g.name FROM iam_group_members m JOIN iam_groups g ON g.key = m.group_key WHERE m.user_key = $1 ORDER BY g.key', [row.key]);
    return {
      name: row.name,
      hasPassword: row.password_hash !== null,
      tags: JSON.parse(row.tags) as Tags,
      groups: groups.map((g) => g.name),
      policies: await this.attached(sql, 'user', row.key),
      createdAt: row.created_at,
    };
  }

  async createUser(input: UserInput, now: number): Promise<UserRecord> {
    return this.change(async (tx) => {
      await this.insertOrConflict('user', input.name, () =>
        tx.run('INSERT INTO iam_users (name, password_hash, tags, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [input.name, input.passwordHash ?? null, JSON.stringify(input.tags), now]),
      );
      const row = (await this.userRow(tx, input.name))!;
      await this.setGroups(tx, row.key, input.groups);
      await this.attach(tx, 'user', row.key, input.policies);
      return this.userRecord(tx, row);
    });
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    // One transaction, so the record's groups and policies are of one moment.
    return this.db.transaction(async (tx) => {
      const row = await this.userRow(tx, name);
      return row && this.userRecord(tx, row);
    });
  }

  async listUsers(options: ListOptions): Promise<Page<UserRecord>> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<UserRow>(`SELECT name, key, password_hash, tags, created_at FROM iam_users WHERE key > ${KEY_OF('$1')} ORDER BY key LIMIT $2`, [
        options.after ?? '',
        options.limit + 1,
      ]);
      const records: UserRecord[] = [];
      for (const r of rows) records.push(await this.userRecord(tx, r));
      return page(records, options.limit, (u) => u.name);
    });
  }

  async updateUser(input: UserInput, now: number): Promise<UserRecord> {
    return this.change(async (tx) => {
      const row = await this.userRow(tx, input.name, true);
      if (row === undefined) throw new PrincipalError('USER_NOT_FOUND', `there is no user named "${input.name}"`);
      const hash = input.passwordHash === undefined ? row.password_hash : input.passwordHash;
      await tx.run('UPDATE iam_users SET password_hash = $1, tags = $2, updated_at = $3 WHERE key = $4', [hash, JSON.stringify(input.tags), now, row.key]);
      await this.setGroups(tx, row.key, input.groups);
      await this.attach(tx, 'user', row.key, input.policies);
      return this.userRecord(tx, (await this.userRow(tx, row.key))!);
    });
  }

  async deleteUser(name: string, now: number): Promise<void> {
    await this.change(async (tx) => {
      const row = await this.userRow(tx, name, true);
      if (row === undefined) throw new PrincipalError('USER_NOT_FOUND', `there is no user named "${name}"`);
      await tx.run("DELETE FROM iam_attachments WHERE principal_kind = 'user' AND principal_key = $1", [row.key]);
      await this.revokeKeysOf(tx, 'user', row.key, now);
      // Its memberships go with it (ON DELETE CASCADE).
      await tx.run('DELETE FROM iam_users WHERE key = $1', [row.key]);
    });
  }

  async passwordHash(name: string): Promise<string | undefined> {
    return (await this.userRow(this.db, name))?.password_hash ?? undefined;
  }

  // Groups.

  private async groupRow(sql: Sql, name: string, lock = false): Promise<GroupRow | undefined> {
    const [row] = await sql.rows<GroupRow>(`SELECT name, key, created_at FROM iam_groups WHERE key = ${KEY_OF('$1')}${lock ? ' FOR UPDATE' : ''}`, [name]);
    return row;
  }

  private async groupRecord(sql: Sql, row: GroupRow): Promise<GroupRecord> {
    const members = await sql.rows<{ name: string }>('SELECT u.name FROM iam_group_members m JOIN iam_users u ON u.key = m.user_key WHERE m.group_key = $1 ORDER BY u.key', [row.key]);
    return { name: row.name, policies: await this.attached(sql, 'group', row.key), members: members.map((m) => m.name), createdAt: row.created_at };
  }

  async createGroup(input: GroupInput, now: number): Promise<GroupRecord> {
    return this.change(async (tx) => {
      await this.insertOrConflict('group', input.name, () => tx.run('INSERT INTO iam_groups (name, created_at, updated_at) VALUES ($1, $2, $2)', [input.name, now]));
      const row = (await this.groupRow(tx, input.name))!;
      await this.attach(tx, 'group', row.key, input.policies);
      return this.groupRecord(tx, row);
    });
  }

  async getGroup(name: string): Promise<GroupRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await this.groupRow(tx, name);
      return row && this.groupRecord(tx, row);
    });
  }

  async listGroups(options: ListOptions): Promise<Page<GroupRecord>> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<GroupRow>(`SELECT name, key, created_at FROM iam_groups WHERE key > ${KEY_OF('$1')} ORDER BY key LIMIT $2`, [options.after ?? '', options.limit + 1]);
      const records: GroupRecord[] = [];
      for (const r of rows) records.push(await this.groupRecord(tx, r));
      return page(records, options.limit, (g) => g.name);
    });
  }

  async updateGroup(input: GroupInput, now: number): Promise<GroupRecord> {
    return this.change(async (tx) => {
      const row = await this.groupRow(tx, input.name, true);
      if (row === undefined) throw new PrincipalError('GROUP_NOT_FOUND', `there is no group named "${input.name}"`);
      await tx.run('UPDATE iam_groups SET updated_at = $1 WHERE key = $2', [now, row.key]);
      await this.attach(tx, 'group', row.key, input.policies);
      return this.groupRecord(tx, row);
    });
  }

  async deleteGroup(name: string): Promise<void> {
    await this.change(async (tx) => {
      const row = await this.groupRow(tx, name, true);
      if (row === undefined) throw new PrincipalError('GROUP_NOT_FOUND', `there is no group named "${name}"`);
      await tx.run("DELETE FROM iam_attachments WHERE principal_kind = 'group' AND principal_key = $1", [row.key]);
      await tx.run('DELETE FROM iam_groups WHERE key = $1', [row.key]);
    });
  }

  // Roles.

  private async roleRow(sql: Sql, name: string, lock = false): Promise<RoleRow | undefined> {
    const [row] = await sql.rows<RoleRow>(
      `SELECT name, key, description, tags, trust_policy, built_in, created_at FROM iam_roles WHERE key = ${KEY_OF('$1')}${lock ? ' FOR UPDATE' : ''}`,
      [name],
    );
    return row;
  }

  private async roleRecord(sql: Sql, row: RoleRow): Promise<RoleRecord> {
    return {
      name: row.name,
      description: row.description,
      tags: JSON.parse(row.tags) as Tags,
      policies: await this.attached(sql, 'role', row.key),
      trustPolicy: row.trust_policy === null ? null : (JSON.parse(row.trust_policy) as unknown),
      builtIn: row.built_in,
      createdAt: row.created_at,
    };
  }

  private async mutableRole(tx: Sql, name: string): Promise<RoleRow> {
    const row = await this.roleRow(tx, name, true);
    if (row === undefined) throw new PrincipalError('ROLE_NOT_FOUND', `there is no role named "${name}"`);
    if (row.built_in) throw new PrincipalError('BUILT_IN', `the role "${row.name}" is built in and cannot be changed or deleted`);
    return row;
  }

  async createRole(input: RoleInput, now: number): Promise<RoleRecord> {
    return this.change(async (tx) => {
      await this.insertOrConflict('role', input.name, () =>
        tx.run('INSERT INTO iam_roles (name, description, tags, trust_policy, built_in, created_at, updated_at) VALUES ($1, $2, $3, $4, false, $5, $5)', [
          input.name,
          input.description,
          JSON.stringify(input.tags),
          trustPolicyText(input),
          now,
        ]),
      );
      const row = (await this.roleRow(tx, input.name))!;
      await this.attach(tx, 'role', row.key, input.policies);
      return this.roleRecord(tx, row);
    });
  }

  async getRole(name: string): Promise<RoleRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await this.roleRow(tx, name);
      return row && this.roleRecord(tx, row);
    });
  }

  async listRoles(options: ListOptions): Promise<Page<RoleRecord>> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.rows<RoleRow>(
        `SELECT name, key, description, tags, trust_policy, built_in, created_at FROM iam_roles WHERE key > ${KEY_OF('$1')} ORDER BY key LIMIT $2`,
        [options.after ?? '', options.limit + 1],
      );
      const records: RoleRecord[] = [];
      for (const r of rows) records.push(await this.roleRecord(tx, r));
      return page(records, options.limit, (r) => r.name);
    });
  }

  async updateRole(input: RoleInput, now: number): Promise<RoleRecord> {
    return this.change(async (tx) => {
      const row = await this.mutableRole(tx, input.name);
      await tx.run('UPDATE iam_roles SET description = $1, tags = $2, trust_policy = $3, updated_at = $4 WHERE key = $5', [
        input.description,
        JSON.stringify(input.tags),
        trustPolicyText(input),
        now,
        row.key,
      ]);
      await this.attach(tx, 'role', row.key, input.policies);
      return this.roleRecord(tx, (await this.roleRow(tx, row.key))!);
    });
  }

  async deleteRole(name: string, now: number): Promise<void> {
    await this.change(async (tx) => {
      const row = await this.mutableRole(tx, name);
      await tx.run("DELETE FROM iam_attachments WHERE principal_kind = 'role' AND principal_key = $1", [row.key]);
      await this.revokeKeysOf(tx, 'role', row.key, now);
      await tx.run('DELETE FROM iam_roles WHERE key = $1', [row.key]);
    });
  }

  // API keys.

  async createApiKey(record: Omit<KeyRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
    await this.change(async (tx) => {
      // The owner is locked until the key is in, so that it cannot be deleted in between (its keys revoked without this one).
      const owner = record.owner.kind === 'user' ? await this.userRow(tx, record.owner.name, true) : await this.roleRow(tx, record.owner.name, true);
      if (owner === undefined) throw new PrincipalError('UNKNOWN_OWNER', `there is no ${record.owner.kind} named "${record.owner.name}"`);
      await tx.run(
        'INSERT INTO api_keys (id, prefix, name, hash, owner_kind, owner_key, owner_name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [record.id, record.prefix, record.name, record.hash, record.owner.kind, owner.key, owner.name, record.createdAt, record.expiresAt],
      );
    });
  }

  async keyByHash(hash: string): Promise<KeyRecord | undefined> {
    const [row] = await this.db.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return row && keyOf(row);
  }

  async keyById(id: string): Promise<KeyRecord | undefined> {
    const [row] = await this.db.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return row && keyOf(row);
  }

  async listKeys(options: ListOptions): Promise<Page<KeyRecord>> {
    const after = options.after === undefined ? 0 : Number(options.after);
    const rows = await this.db.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE seq > $1 ORDER BY seq LIMIT $2`, [Number.isSafeInteger(after) ? after : 0, options.limit + 1]);
    const p = page(rows, options.limit, (r) => String(r.seq));
    return { items: p.items.map(keyOf), ...(p.next !== undefined && { next: p.next }) };
  }

  async revokeKey(id: string, now: number): Promise<KeyRecord> {
    return this.change(async (tx) => {
      const [row] = await tx.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1 FOR UPDATE`, [id]);
      if (row === undefined) throw new PrincipalError('KEY_NOT_FOUND', `there is no key with id "${id}"`);
      if (row.revoked_at !== null) throw new PrincipalError('ALREADY_REVOKED', `the key "${row.name}" (${row.prefix}) was already revoked`);
      await tx.run('UPDATE api_keys SET revoked_at = $1 WHERE id = $2', [now, id]);
      return keyOf({ ...row, revoked_at: now });
    });
  }

  async touchKey(id: string, at: number): Promise<void> {
    // GREATEST: instances touching the same key out of order keep the latest use.
    await this.db.run('UPDATE api_keys SET last_used_at = GREATEST(coalesce(last_used_at, 0), $1) WHERE id = $2', [at, id]);
  }

  async principal(kind: 'user' | 'role', name: string): Promise<PrincipalRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const own = kind === 'user' ? await this.userRow(tx, name) : await this.roleRow(tx, name);
      if (own === undefined) return undefined;
      const documents =
        kind === 'user'
          ? await tx.rows<{ policy: string; document: string }>(
              `SELECT p.name AS policy, p.document FROM iam_attachments a JOIN iam_policies p ON p.key = a.policy_key
               WHERE (a.principal_kind = 'user' AND a.principal_key = $1)
                  OR (a.principal_kind = 'group' AND a.principal_key IN (SELECT group_key FROM iam_group_members WHERE user_key = $1))
               ORDER BY a.principal_kind DESC, a.principal_key, p.key`,
              [own.key],
            )
          : await tx.rows<{ policy: string; document: string }>(
              `SELECT p.name AS policy, p.document FROM iam_attachments a JOIN iam_policies p ON p.key = a.policy_key
               WHERE a.principal_kind = 'role' AND a.principal_key = $1 ORDER BY p.key`,
              [own.key],
            );
      return {
        kind,
        name: own.name,
        tags: JSON.parse(own.tags) as Tags,
        documents: documents.map((d) => ({ policy: d.policy, document: JSON.parse(d.document) as unknown })),
      };
    });
  }

  // The older key repository: keys of the bootstrap and of `createKey` belong to the Administrator role.

  async count(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>('SELECT count(*)::bigint AS n FROM api_keys');
    return row?.n ?? 0;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.change(async (tx) => {
      await tx.run(
        `INSERT INTO api_keys (id, prefix, name, hash, owner_kind, owner_key, owner_name, created_at) VALUES ($1, $2, $3, $4, 'role', ${KEY_OF('$5')}, $5, $6)`,
        [record.id, record.prefix, record.name, record.hash, ADMINISTRATOR_ROLE, record.createdAt],
      );
    });
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.db.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    if (row === undefined || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
    return { id: row.id, prefix: row.prefix, name: row.name, hash: row.hash, createdAt: row.created_at };
  }
}
