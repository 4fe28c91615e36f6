// Principals, managed policies and API keys in the embedded store's database (tables in principal-schema.ts).
import type Database from 'better-sqlite3';
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

interface KeyRow {
  rowid: number;
  id: string;
  prefix: string;
  name: string;
  hash: string;
  owner_kind: 'user' | 'role';
  owner_name: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

interface PolicyRow {
  name: string;
  document: string;
  built_in: number;
  created_at: number;
  updated_at: number;
}

const KEY_COLUMNS = 'rowid, id, prefix, name, hash, owner_kind, owner_name, created_at, last_used_at, expires_at, revoked_at';

function keyOf(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    hash: row.hash,
    owner: { kind: row.owner_kind, name: row.owner_name },
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function policyOf(row: PolicyRow): ManagedPolicy {
  return { name: row.name, document: JSON.parse(row.document) as unknown, builtIn: row.built_in === 1, createdAt: row.created_at, updatedAt: row.updated_at };
}

function page<T>(rows: T[], limit: number, position: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: position(items[items.length - 1]!) };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class SqlitePrincipalStore implements PrincipalStore {
  private gen = 0;

  constructor(private readonly db: Database.Database) {}

  get generation(): number {
    return this.gen;
  }

  /** Runs an administrative change in one transaction and bumps the generation once it committed. */
  private change<T>(work: () => T): T {
    const result = this.db.transaction(work)();
    this.gen++;
    return result;
  }

  private insertOrConflict(what: string, name: string, insert: () => void): void {
    try {
      insert();
    } catch (error) {
      if (isUniqueViolation(error)) throw new PrincipalError('ALREADY_EXISTS', `a ${what} named "${name}" already exists`);
      throw error;
    }
  }

  // Attachments and memberships.

  private checkPolicies(names: readonly string[]): void {
    const stmt = this.db.prepare('SELECT 1 FROM iam_policies WHERE name = ?');
    const unknown = names.filter((n) => stmt.get(n) === undefined);
    if (unknown.length > 0) throw new PrincipalError('UNKNOWN_POLICY', `no policy named ${unknown.map((n) => `"${n}"`).join(', ')}`);
  }

  private checkGroups(names: readonly string[]): void {
    const stmt = this.db.prepare('SELECT 1 FROM iam_groups WHERE name = ?');
    const unknown = names.filter((n) => stmt.get(n) === undefined);
    if (unknown.length > 0) throw new PrincipalError('UNKNOWN_GROUP', `no group named ${unknown.map((n) => `"${n}"`).join(', ')}`);
  }

  private attach(kind: AttachableKind, name: string, policies: readonly string[]): void {
    this.checkPolicies(policies);
    this.db.prepare('DELETE FROM iam_attachments WHERE principal_kind = ? AND principal_name = ?').run(kind, name);
    const insert = this.db.prepare('INSERT OR IGNORE INTO iam_attachments (principal_kind, principal_name, policy_name) VALUES (?, ?, ?)');
    // Stored with the policy's own spelling, so lists show it as it was created.
    const canonical = this.db.prepare('SELECT name FROM iam_policies WHERE name = ?');
    for (const p of policies) insert.run(kind, name, (canonical.get(p) as { name: string }).name);
  }

  private attached(kind: AttachableKind, name: string): string[] {
    return (this.db.prepare('SELECT policy_name FROM iam_attachments WHERE principal_kind = ? AND principal_name = ? ORDER BY policy_name').all(kind, name) as Array<{ policy_name: string }>).map((r) => r.policy_name);
  }

  private setGroups(user: string, groups: readonly string[]): void {
    this.checkGroups(groups);
    this.db.prepare('DELETE FROM iam_group_members WHERE user_name = ?').run(user);
    const insert = this.db.prepare('INSERT OR IGNORE INTO iam_group_members (group_name, user_name) SELECT name, ? FROM iam_groups WHERE name = ?');
    for (const g of groups) insert.run(user, g);
  }

  private revokeKeysOf(kind: 'user' | 'role', name: string, now: number): void {
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE owner_kind = ? AND owner_name = ? AND revoked_at IS NULL').run(now, kind, name);
  }

  // Managed policies.

  async createPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy> {
    return this.change(() => {
      this.insertOrConflict('policy', name, () =>
        this.db.prepare('INSERT INTO iam_policies (name, document, built_in, created_at, updated_at) VALUES (?, ?, 0, ?, ?)').run(name, JSON.stringify(document), now, now),
      );
      return { name, document, builtIn: false, createdAt: now, updatedAt: now };
    });
  }

  async getPolicy(name: string): Promise<ManagedPolicy | undefined> {
    const row = this.db.prepare('SELECT * FROM iam_policies WHERE name = ?').get(name) as PolicyRow | undefined;
    return row && policyOf(row);
  }

  async listPolicies(options: ListOptions): Promise<Page<ManagedPolicy>> {
    const rows = this.db.prepare('SELECT * FROM iam_policies WHERE name > ? ORDER BY name LIMIT ?').all(options.after ?? '', options.limit + 1) as PolicyRow[];
    return page(rows.map(policyOf), options.limit, (p) => p.name);
  }

  private existingPolicy(name: string): PolicyRow {
    const row = this.db.prepare('SELECT * FROM iam_policies WHERE name = ?').get(name) as PolicyRow | undefined;
    if (row === undefined) throw new PrincipalError('POLICY_NOT_FOUND', `there is no policy named "${name}"`);
    if (row.built_in === 1) throw new PrincipalError('BUILT_IN', `the policy "${row.name}" is built in and cannot be changed or deleted`);
    return row;
  }

  async putPolicy(name: string, document: unknown, now: number): Promise<ManagedPolicy> {
    return this.change(() => {
      const row = this.existingPolicy(name);
      this.db.prepare('UPDATE iam_policies SET document = ?, updated_at = ? WHERE name = ?').run(JSON.stringify(document), now, name);
      return { name: row.name, document, builtIn: false, createdAt: row.created_at, updatedAt: now };
    });
  }

  async deletePolicy(name: string): Promise<void> {
    this.change(() => {
      const row = this.existingPolicy(name);
      const users = this.db.prepare('SELECT principal_kind AS kind, principal_name AS name FROM iam_attachments WHERE policy_name = ? LIMIT 5').all(name) as Array<{ kind: string; name: string }>;
      if (users.length > 0) {
        throw new PrincipalError('POLICY_IN_USE', `the policy "${row.name}" is attached to ${users.map((u) => `${u.kind} "${u.name}"`).join(', ')}; detach it first`);
      }
      this.db.prepare('DELETE FROM iam_policies WHERE name = ?').run(name);
    });
  }

  // Users.

  private userRow(name: string): { name: string; password_hash: string | null; tags: string; created_at: number } | undefined {
    return this.db.prepare('SELECT name, password_hash, tags, created_at FROM iam_users WHERE name = ?').get(name) as
      | { name: string; password_hash: string | null; tags: string; created_at: number }
      | undefined;
  }

  private userRecord(row: { name: string; password_hash: string | null; tags: string; created_at: number }): UserRecord {
    const groups = (this.db.prepare('SELECT group_name FROM iam_group_members WHERE user_name = ? ORDER BY group_name').all(row.name) as Array<{ group_name: string }>).map((r) => r.group_name);
    return { name: row.name, hasPassword: row.password_hash !== null, tags: JSON.parse(row.tags) as Tags, groups, policies: this.attached('user', row.name), createdAt: row.created_at };
  }

  async createUser(input: UserInput, now: number): Promise<UserRecord> {
    return this.change(() => {
      this.insertOrConflict('user', input.name, () =>
        this.db
          .prepare('INSERT INTO iam_users (name, password_hash, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
          .run(input.name, input.passwordHash ?? null, JSON.stringify(input.tags), now, now),
      );
      this.setGroups(input.name, input.groups);
      this.attach('user', input.name, input.policies);
      return this.userRecord(this.userRow(input.name)!);
    });
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = this.userRow(name);
    return row && this.userRecord(row);
  }

  async listUsers(options: ListOptions): Promise<Page<UserRecord>> {
    const rows = this.db.prepare('SELECT name, password_hash, tags, created_at FROM iam_users WHERE name > ? ORDER BY name LIMIT ?').all(options.after ?? '', options.limit + 1) as Array<{
      name: string;
      password_hash: string | null;
      tags: string;
      created_at: number;
    }>;
    return page(rows.map((r) => this.userRecord(r)), options.limit, (u) => u.name);
  }

  async updateUser(input: UserInput, now: number): Promise<UserRecord> {
    return this.change(() => {
      const row = this.userRow(input.name);
      if (row === undefined) throw new PrincipalError('USER_NOT_FOUND', `there is no user named "${input.name}"`);
      const hash = input.passwordHash === undefined ? row.password_hash : input.passwordHash;
      this.db.prepare('UPDATE iam_users SET password_hash = ?, tags = ?, updated_at = ? WHERE name = ?').run(hash, JSON.stringify(input.tags), now, row.name);
      this.setGroups(row.name, input.groups);
      this.attach('user', row.name, input.policies);
      return this.userRecord(this.userRow(row.name)!);
    });
  }

  async deleteUser(name: string, now: number): Promise<void> {
    this.change(() => {
      const row = this.userRow(name);
      if (row === undefined) throw new PrincipalError('USER_NOT_FOUND', `there is no user named "${name}"`);
      this.db.prepare('DELETE FROM iam_group_members WHERE user_name = ?').run(name);
      this.db.prepare("DELETE FROM iam_attachments WHERE principal_kind = 'user' AND principal_name = ?").run(name);
      this.revokeKeysOf('user', name, now);
      this.db.prepare('DELETE FROM iam_users WHERE name = ?').run(name);
    });
  }

  async passwordHash(name: string): Promise<string | undefined> {
    return this.userRow(name)?.password_hash ?? undefined;
  }

  // Groups.

  private groupRecord(row: { name: string; created_at: number }): GroupRecord {
    const members = (this.db.prepare('SELECT user_name FROM iam_group_members WHERE group_name = ? ORDER BY user_name').all(row.name) as Array<{ user_name: string }>).map((r) => r.user_name);
    return { name: row.name, policies: this.attached('group', row.name), members, createdAt: row.created_at };
  }

  private groupRow(name: string): { name: string; created_at: number } | undefined {
    return this.db.prepare('SELECT name, created_at FROM iam_groups WHERE name = ?').get(name) as { name: string; created_at: number } | undefined;
  }

  async createGroup(input: GroupInput, now: number): Promise<GroupRecord> {
    return this.change(() => {
      this.insertOrConflict('group', input.name, () => this.db.prepare('INSERT INTO iam_groups (name, created_at, updated_at) VALUES (?, ?, ?)').run(input.name, now, now));
      this.attach('group', input.name, input.policies);
      return this.groupRecord(this.groupRow(input.name)!);
    });
  }

  async getGroup(name: string): Promise<GroupRecord | undefined> {
    const row = this.groupRow(name);
    return row && this.groupRecord(row);
  }

  async listGroups(options: ListOptions): Promise<Page<GroupRecord>> {
    const rows = this.db.prepare('SELECT name, created_at FROM iam_groups WHERE name > ? ORDER BY name LIMIT ?').all(options.after ?? '', options.limit + 1) as Array<{ name: string; created_at: number }>;
    return page(rows.map((r) => this.groupRecord(r)), options.limit, (g) => g.name);
  }

  async updateGroup(input: GroupInput, now: number): Promise<GroupRecord> {
    return this.change(() => {
      const row = this.groupRow(input.name);
      if (row === undefined) throw new PrincipalError('GROUP_NOT_FOUND', `there is no group named "${input.name}"`);
      this.db.prepare('UPDATE iam_groups SET updated_at = ? WHERE name = ?').run(now, row.name);
      this.attach('group', row.name, input.policies);
      return this.groupRecord(row);
    });
  }

  async deleteGroup(name: string): Promise<void> {
    this.change(() => {
      if (this.groupRow(name) === undefined) throw new PrincipalError('GROUP_NOT_FOUND', `there is no group named "${name}"`);
      this.db.prepare('DELETE FROM iam_group_members WHERE group_name = ?').run(name);
      this.db.prepare("DELETE FROM iam_attachments WHERE principal_kind = 'group' AND principal_name = ?").run(name);
      this.db.prepare('DELETE FROM iam_groups WHERE name = ?').run(name);
    });
  }

  // Roles.

  private roleRow(name: string): { name: string; description: string; tags: string; trust_policy: string | null; built_in: number; created_at: number } | undefined {
    return this.db.prepare('SELECT name, description, tags, trust_policy, built_in, created_at FROM iam_roles WHERE name = ?').get(name) as
      | { name: string; description: string; tags: string; trust_policy: string | null; built_in: number; created_at: number }
      | undefined;
  }

  private roleRecord(row: { name: string; description: string; tags: string; trust_policy: string | null; built_in: number; created_at: number }): RoleRecord {
    return {
      name: row.name,
      description: row.description,
      tags: JSON.parse(row.tags) as Tags,
      policies: this.attached('role', row.name),
      trustPolicy: row.trust_policy === null ? null : (JSON.parse(row.trust_policy) as unknown),
      builtIn: row.built_in === 1,
      createdAt: row.created_at,
    };
  }

  private mutableRole(name: string): { name: string } {
    const row = this.roleRow(name);
    if (row === undefined) throw new PrincipalError('ROLE_NOT_FOUND', `there is no role named "${name}"`);
    if (row.built_in === 1) throw new PrincipalError('BUILT_IN', `the role "${row.name}" is built in and cannot be changed or deleted`);
    return row;
  }

  async createRole(input: RoleInput, now: number): Promise<RoleRecord> {
    return this.change(() => {
      this.insertOrConflict('role', input.name, () =>
        this.db
          .prepare('INSERT INTO iam_roles (name, description, tags, trust_policy, built_in, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)')
          .run(input.name, input.description, JSON.stringify(input.tags), trustPolicyText(input), now, now),
      );
      this.attach('role', input.name, input.policies);
      return this.roleRecord(this.roleRow(input.name)!);
    });
  }

  async getRole(name: string): Promise<RoleRecord | undefined> {
    const row = this.roleRow(name);
    return row && this.roleRecord(row);
  }

  async listRoles(options: ListOptions): Promise<Page<RoleRecord>> {
    const rows = this.db.prepare('SELECT name, description, tags, trust_policy, built_in, created_at FROM iam_roles WHERE name > ? ORDER BY name LIMIT ?').all(options.after ?? '', options.limit + 1) as Array<{
      name: string;
      description: string;
      tags: string;
      trust_policy: string | null;
      built_in: number;
      created_at: number;
    }>;
    return page(rows.map((r) => this.roleRecord(r)), options.limit, (r) => r.name);
  }

  async updateRole(input: RoleInput, now: number): Promise<RoleRecord> {
    return this.change(() => {
      const row = this.mutableRole(input.name);
      this.db
        .prepare('UPDATE iam_roles SET description = ?, tags = ?, trust_policy = ?, updated_at = ? WHERE name = ?')
        .run(input.description, JSON.stringify(input.tags), trustPolicyText(input), now, row.name);
      this.attach('role', row.name, input.policies);
      return this.roleRecord(this.roleRow(row.name)!);
    });
  }

  async deleteRole(name: string, now: number): Promise<void> {
    this.change(() => {
      const row = this.mutableRole(name);
      this.db.prepare("DELETE FROM iam_attachments WHERE principal_kind = 'role' AND principal_name = ?").run(row.name);
      this.revokeKeysOf('role', row.name, now);
      this.db.prepare('DELETE FROM iam_roles WHERE name = ?').run(row.name);
    });
  }

  // API keys.

  async createApiKey(record: Omit<KeyRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
    this.change(() => {
      const table = record.owner.kind === 'user' ? 'iam_users' : 'iam_roles';
      const owner = this.db.prepare(`SELECT name FROM ${table} WHERE name = ?`).get(record.owner.name) as { name: string } | undefined;
      if (owner === undefined) throw new PrincipalError('UNKNOWN_OWNER', `there is no ${record.owner.kind} named "${record.owner.name}"`);
      this.db
        .prepare('INSERT INTO api_keys (id, prefix, name, hash, owner_kind, owner_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(record.id, record.prefix, record.name, record.hash, record.owner.kind, owner.name, record.createdAt, record.expiresAt);
    });
  }

  async keyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = this.db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = ?`).get(hash) as KeyRow | undefined;
    return row && keyOf(row);
  }

  async keyById(id: string): Promise<KeyRecord | undefined> {
    const row = this.db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
    return row && keyOf(row);
  }

  async listKeys(options: ListOptions): Promise<Page<KeyRecord>> {
    const after = options.after === undefined ? 0 : Number(options.after);
    const rows = this.db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE rowid > ? ORDER BY rowid LIMIT ?`).all(Number.isSafeInteger(after) ? after : 0, options.limit + 1) as KeyRow[];
    const p = page(rows, options.limit, (r) => String(r.rowid));
    return { items: p.items.map(keyOf), ...(p.next !== undefined && { next: p.next }) };
  }

  async revokeKey(id: string, now: number): Promise<KeyRecord> {
    return this.change(() => {
      const row = this.db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
      if (row === undefined) throw new PrincipalError('KEY_NOT_FOUND', `there is no key with id "${id}"`);
      if (row.revoked_at !== null) throw new PrincipalError('ALREADY_REVOKED', `the key "${row.name}" (${row.prefix}) was already revoked`);
      this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(now, id);
      return keyOf({ ...row, revoked_at: now });
    });
  }

  async touchKey(id: string, at: number): Promise<void> {
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async principal(kind: 'user' | 'role', name: string): Promise<PrincipalRecord | undefined> {
    const own = kind === 'user' ? this.userRow(name) : this.roleRow(name);
    if (own === undefined) return undefined;
    const documents =
      kind === 'user'
        ? this.db
            .prepare(
              `SELECT p.name AS policy, p.document FROM iam_attachments a JOIN iam_policies p ON p.name = a.policy_name
               WHERE (a.principal_kind = 'user' AND a.principal_name = ?)
                  OR (a.principal_kind = 'group' AND a.principal_name IN (SELECT group_name FROM iam_group_members WHERE user_name = ?))
               ORDER BY a.principal_kind DESC, a.principal_name, p.name`,
            )
            .all(own.name, own.name)
        : this.db.prepare(`SELECT p.name AS policy, p.document FROM iam_attachments a JOIN iam_policies p ON p.name = a.policy_name WHERE a.principal_kind = 'role' AND a.principal_name = ? ORDER BY p.name`).all(own.name);
    return {
      kind,
      name: own.name,
      tags: JSON.parse(own.tags) as Tags,
      documents: (documents as Array<{ policy: string; document: string }>).map((d) => ({ policy: d.policy, document: JSON.parse(d.document) as unknown })),
    };
  }

  // The older key repository: keys of the bootstrap and of `createKey` belong to the Administrator role.

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM api_keys').get() as { n: number }).n;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    this.change(() => {
      this.db
        .prepare("INSERT INTO api_keys (id, prefix, name, hash, owner_kind, owner_name, created_at) VALUES (?, ?, ?, ?, 'role', ?, ?)")
        .run(record.id, record.prefix, record.name, record.hash, ADMINISTRATOR_ROLE, record.createdAt);
    });
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = ?`).get(hash) as KeyRow | undefined;
    if (row === undefined || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
    return { id: row.id, prefix: row.prefix, name: row.name, hash: row.hash, createdAt: row.created_at };
  }
}

function trustPolicyText(input: RoleInput): string | null {
  return input.trustPolicy === undefined || input.trustPolicy === null ? null : JSON.stringify(input.trustPolicy);
}
